// swift-tools-version:6.0
// libFuzzer targets for mailtls's parsers. A package of its own so the main build never
// needs the sanitizer. Build and run with scripts/fuzz (it passes -sanitize=fuzzer,address).
import PackageDescription

let parsers = [
    "FuzzMaterial", "FuzzPEM", "FuzzSubject", "FuzzSendmail", "FuzzPostfix",
    "FuzzReceived", "FuzzTLSAZone", "FuzzDNSMessage", "FuzzSTSPolicy", "FuzzTLSRPT",
]

let package = Package(
    name: "mailtls-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "mailtls", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: parsers.map {
        .executableTarget(name: $0, dependencies: ["FuzzDriver", .product(name: "MailTLS", package: "mailtls")])
    } + [
        // The bytes of an input and the hand-over to libFuzzer's driver, shared by every target.
        .target(name: "FuzzDriver"),
        // SMTPReplyReader and ServerHelloFacts.parse are internal to MailTLS, and a fuzz
        // executable cannot use @testable import; these targets compile the very same source
        // file (a symlink into Sources/MailTLS/SMTP) into the fuzz target instead.
        .executableTarget(name: "FuzzSMTPReply", dependencies: ["FuzzDriver"]),
        .executableTarget(name: "FuzzServerHello",
                          dependencies: ["FuzzDriver", .product(name: "NIOCore", package: "swift-nio")]),
    ]
)
