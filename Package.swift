// swift-tools-version:6.1
import PackageDescription

// Layout: see README.md ("Layout") and ../shared/design/LAYOUT.md.
// Each top-level folder plays the role of Sources/; every target declares its path.

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "CallCenter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "control-plane", targets: ["ControlPlaneServer"]),
        .executable(name: "sip-test-ua", targets: ["SIPTestUA"]),
        .executable(name: "media-node", targets: ["MediaNodeServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        // Already in the graph through swift-openapi-generator; the control plane reads openapi.yaml's
        // limits with it at start (SpecLimits).
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
    ],
    targets: [
        // MARK: Common
        .target(
            name: "CallCenterModel",
            path: "Common/CallCenterModel",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IVREngine",
            dependencies: ["CallCenterModel"],
            path: "Common/IVREngine",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EgressGuard",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Common/EgressGuard",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ControlPlaneAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            path: "Common/ControlPlaneAPI",
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "ControlPlaneAPIClient",
            dependencies: [
                "ControlPlaneAPI",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Common/ControlPlaneAPIClient",
            // The generated client uses explicit `package import`s; implicit imports must then be internal.
            swiftSettings: swiftSettings + [.enableUpcomingFeature("InternalImportsByDefault")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),

        // MARK: Control plane
        .target(
            name: "ControlPlaneCore",
            dependencies: [
                "CallCenterModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "ControlPlane/ControlPlaneCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ControlPlanePostgres",
            dependencies: [
                "ControlPlaneCore",
                "CallCenterModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "ControlPlane/ControlPlanePostgres",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresSupport",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "ControlPlane/PostgresSupport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ControlPlaneWorkers",
            dependencies: [
                "ControlPlanePostgres",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "ControlPlane/ControlPlaneWorkers",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ControlPlaneHTTP",
            dependencies: [
                "ControlPlaneAPI",
                "ControlPlaneCore",
                "EgressGuard",  // IPAddress/IPNetwork for trusted proxies
                "ControlPlanePostgres",
                "ControlPlaneWorkers",
                "CallCenterModel",
                "IVREngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "ControlPlane/ControlPlaneHTTP",
            // The spec is also read at run time (SpecLimits enforces its bounds; /docs serves it),
            // compiled in rather than a bundle: .copy keeps the symlink, which breaks outside the tree.
            resources: [.embedInCode("openapi.yaml")],
            // The generated server uses explicit `package import`s; implicit imports must then be internal.
            swiftSettings: swiftSettings + [.enableUpcomingFeature("InternalImportsByDefault")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "ControlPlaneDemo",
            dependencies: [
                "ControlPlaneAPIClient", "ControlPlaneAPI", "CallCenterModel",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "ControlPlane/ControlPlaneDemo",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ControlPlaneServer",
            dependencies: [
                "ControlPlaneHTTP",
                "ControlPlaneDemo",
                "ControlPlanePostgres",
                "PostgresSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "ControlPlane/ControlPlaneServer",
            swiftSettings: swiftSettings
        ),

        // MARK: Media node
        // (SIP, SDP, RTP, media, ACD, IVR targets are added by their issues.)
        .target(
            name: "SIPMessage",
            path: "MediaNode/SIPMessage",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SIPAuth",
            dependencies: ["SIPMessage", .product(name: "Crypto", package: "swift-crypto")],
            path: "MediaNode/SIPAuth",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SIPTransaction",
            dependencies: ["SIPMessage"],
            path: "MediaNode/SIPTransaction",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SIPTransport",
            dependencies: [
                "SIPMessage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "MediaNode/SIPTransport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SIPDialog",
            dependencies: ["SIPMessage"],
            path: "MediaNode/SIPDialog",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SIPUserAgent",
            dependencies: [
                "SIPMessage", "SIPAuth", "SIPTransaction", "SIPTransport", "SIPDialog",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "MediaNode/SIPUserAgent",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SIPTestUA",
            dependencies: [
                "SIPUserAgent", "SIPMessage", "SIPAuth", "SIPTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "MediaNode/SIPTestUA",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SIPBenchmarks",
            dependencies: ["SIPMessage"],
            path: "MediaNode/SIPBenchmarks",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ACD",
            dependencies: [
                "CallCenterModel",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            path: "MediaNode/ACD",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ACDBenchmarks",
            dependencies: ["ACD", "CallCenterModel"],
            path: "MediaNode/ACDBenchmarks",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SDP",
            path: "MediaNode/SDP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RTPCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            path: "MediaNode/RTPCore",
            swiftSettings: swiftSettings
        ),
        .target(name: "CMediaIO", path: "MediaNode/CMediaIO"),
        .target(
            name: "CKernelRelay", path: "MediaNode/CKernelRelay", exclude: ["bpf"],
            linkerSettings: [.linkedLibrary("bpf")]
        ),
        .target(
            name: "MediaEngine",
            dependencies: [
                "SDP", "RTPCore", "CMediaIO", "CKernelRelay",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "MediaNode/MediaEngine",
            swiftSettings: swiftSettings
        ),
        .target(name: "CUDPBatch", path: "MediaNode/CUDPBatch"),
        .executableTarget(
            name: "MediaRelayBenchmark",
            dependencies: [
                "MediaEngine", "SDP", "RTPCore", "CMediaIO", "CUDPBatch",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "MediaNode/MediaRelayBenchmark",
            swiftSettings: swiftSettings
        ),

        .target(
            name: "ControlPlaneClient",
            dependencies: [
                "ControlPlaneAPI", "ControlPlaneAPIClient",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "MediaNode/ControlPlaneClient",
            swiftSettings: swiftSettings + [.enableUpcomingFeature("InternalImportsByDefault")]
        ),
        .target(
            name: "CallControl",
            dependencies: [
                "ControlPlaneClient", "ControlPlaneAPI", "CallCenterModel", "IVREngine", "ACD", "EgressGuard",
                "SIPUserAgent", "SIPMessage", "SIPAuth", "SIPDialog", "SIPTransport", "SDP", "RTPCore", "MediaEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "MediaNode/CallControl",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MediaNodeServer",
            dependencies: [
                "CallControl", "ControlPlaneClient", "ControlPlaneAPI", "SIPUserAgent", "SIPTransport", "MediaEngine", "SDP", "EgressGuard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "MediaNode/MediaNodeServer",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "EgressGuardTests",
            dependencies: [
                "EgressGuard", "NodeTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/EgressGuardTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IVREngineTests",
            dependencies: ["IVREngine", "CallCenterModel"],
            path: "Tests/IVREngineTests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FuzzCorpus",
            path: "Tests/FuzzCorpus",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SIPMessageTests",
            dependencies: ["SIPMessage", "FuzzCorpus"],
            path: "Tests/SIPMessageTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SIPAuthTests",
            dependencies: ["SIPAuth", "SIPMessage", "FuzzCorpus", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/SIPAuthTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SIPTransactionTests",
            dependencies: ["SIPTransaction", "SIPMessage"],
            path: "Tests/SIPTransactionTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SIPDialogTests",
            dependencies: ["SIPDialog", "SIPMessage"],
            path: "Tests/SIPDialogTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SIPUserAgentTests",
            dependencies: [
                "SIPUserAgent", "SIPMessage", "SIPAuth", "SIPTransaction", "SIPTransport", "SIPDialog", "NodeTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SIPUserAgentTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ACDTests",
            dependencies: [
                "ACD", "CallCenterModel",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            path: "Tests/ACDTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SDPTests",
            dependencies: ["SDP", "FuzzCorpus"],
            path: "Tests/SDPTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RTPCoreTests",
            dependencies: ["RTPCore", "FuzzCorpus", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/RTPCoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MediaEngineTests",
            dependencies: [
                "MediaEngine", "RTPCore", "SDP", "NodeTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/MediaEngineTests",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "PostgresSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CallCenterModelTests",
            dependencies: ["CallCenterModel"],
            path: "Tests/CallCenterModelTests",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NodeTestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/NodeTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ControlPlaneClientTests",
            dependencies: ["ControlPlaneClient", "ControlPlaneAPI", "NodeTestSupport",
                           .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            path: "Tests/ControlPlaneClientTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CallControlTests",
            dependencies: [
                "CallControl", "ControlPlaneClient", "ControlPlaneAPI", "NodeTestSupport", "CallCenterModel",
                "SIPUserAgent", "SIPMessage", "SIPTransport", "MediaEngine", "SDP", "RTPCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CallControlTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: [
                "ControlPlaneHTTP", "ControlPlanePostgres", "ControlPlaneCore", "ControlPlaneWorkers", "TestSupport", "PostgresSupport", "CallCenterModel", "EgressGuard",
                "ControlPlaneClient", "ControlPlaneDemo", "NodeTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/ControlPlaneTests",
            swiftSettings: swiftSettings
        ),
    ]
)
