// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "stackctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "stackctl", targets: ["stackctl"]),
        .library(name: "StackKit", targets: ["StackKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "StackKit", dependencies: ["CYAML"]),
        .executableTarget(
            name: "stackctl",
            dependencies: [
                "StackKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "StackKitTests", dependencies: ["StackKit"]),
        // Runs the built binary as a user would; depending on it makes `swift test` build it.
        .testTarget(name: "stackctlTests", dependencies: ["stackctl"]),
    ]
)
