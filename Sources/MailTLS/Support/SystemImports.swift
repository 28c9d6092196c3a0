// One place to pull in the C library, so every file that needs `open`, `rename`
// or `fsync` can say `import` once without caring which libc this platform has.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#endif
