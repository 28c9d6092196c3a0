// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mailtls",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mailtls", targets: ["mailtls"]),
        .library(name: "MailTLS", targets: ["MailTLS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // glibc's resolver (res_ninit/res_nmkquery/res_nsend) for Sources/MailTLS/DNS: its
        // functions are macros in resolv.h, so a few inline C wrappers make them callable.
        .target(
            name: "CResolv",
            linkerSettings: [.linkedLibrary("resolv")]
        ),
        // zlib's inflate in gzip mode, capped, for TLS reports (.json.gz, application/tlsrpt+gzip):
        // Foundation on Linux has no gzip, and inflateInit2 is a macro Swift does not import.
        .target(
            name: "CGzip",
            linkerSettings: [.linkedLibrary("z")]
        ),
        .target(
            name: "MailTLS",
            dependencies: [
                "CResolv",
                "CGzip",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // ACME (RFC 8555) lives in its own module: it is the only part that needs an HTTP
        // client, and keeping it apart keeps AsyncHTTPClient out of the fuzz build.
        .target(
            name: "MailTLSACME",
            dependencies: [
                "MailTLS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The domain audit's network side (the MTA-STS policy fetch over HTTPS). Apart from
        // MailTLS so that the fuzz build, which depends on MailTLS alone, stays free of HTTP.
        // The fetch is written on NIOHTTP1, not AsyncHTTPClient: AsyncHTTPClient has no hook
        // for a certificate verification callback, and the verdict must be ChainVerifier's.
        .target(
            name: "MailTLSAudit",
            dependencies: [
                "MailTLS",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "mailtls",
            dependencies: [
                "MailTLS",
                "MailTLSACME",
                "MailTLSAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "MailTLSTests",
            dependencies: [
                "MailTLS",
                "MailTLSACME",
                "MailTLSAudit",
                // The serve session's handler is driven through EmbeddedChannel (no sockets).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)
