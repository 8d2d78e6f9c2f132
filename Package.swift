// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "padu",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "padu", targets: ["padu"]),
        .executable(name: "pq-bench", targets: ["pq-bench"]),
        .library(name: "PQ", targets: ["PQ"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "PQ",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "PaduCore", swiftSettings: swiftSettings),
        .target(
            name: "PaduStore",
            dependencies: [
                "PQ", "PaduCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/sql"), .copy("Resources/data")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PaduAPI",
            // No PQ: routes reach the database only through PaduStore's typed stores.
            dependencies: [
                "PaduStore", "PaduCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/templates")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "padu",
            dependencies: [
                "PaduAPI", "PaduStore", "PQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "pq-bench",
            dependencies: [
                "PQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PaduTestSupport",
            dependencies: ["PaduStore", "PQ", .product(name: "Logging", package: "swift-log")],
            path: "Tests/PaduTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "PQTests", dependencies: ["PQ"], swiftSettings: swiftSettings),
        .testTarget(name: "PaduCoreTests", dependencies: ["PaduCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PaduStoreTests", dependencies: ["PaduStore", "PQ", "PaduCore", "PaduTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PaduAPITests",
            dependencies: [
                "PaduAPI", "PaduStore", "PaduCore", "PQ", "PaduTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
