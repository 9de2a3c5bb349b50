// swift-tools-version:6.2
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
        // Spawning ssh and local commands with async I/O, timeouts and clean signal state.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // sha256 of rendered files, compared with what is on each host.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "StackKit",
            dependencies: [
                "CYAML",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The Python that runs on hosts lives in real .py files (tested by Tests/python) and
            // is compiled into the binary as byte arrays: stackctl stays one self-contained file.
            resources: [
                .embedInCode("Python/launcher.py"),
                .embedInCode("Python/pool_exec.py"),
                .embedInCode("Python/relay.py"),
                .embedInCode("Python/release_hook.py"),
                .embedInCode("Python/supervisor_control.py"),
                .embedInCode("Python/supervisor_stand_in.py"),
            ]
        ),
        // Fakes for the engine's effects: a scripted transport and a clock that never waits.
        .target(name: "StackKitTesting", dependencies: ["StackKit"]),
        .executableTarget(
            name: "stackctl",
            dependencies: [
                "StackKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "StackKitTests", dependencies: ["StackKit", "StackKitTesting"]),
        // Runs the built binary as a user would; depending on it makes `swift test` build it.
        .testTarget(name: "stackctlTests", dependencies: ["stackctl", "StackKit", "StackKitTesting"]),
    ]
)
