import NIOCore
import NIOPosix
import NIOSSL
import X509
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The chain the server presented, filled in by the TLS handler's verification callback
/// (which runs on the channel's event loop) and read when the probe ends.
final class PeerChainBox: @unchecked Sendable {
    var chain: [[UInt8]] = []
}

/// `mailtls probe`: one strict SMTP STARTTLS session against a server, then a judgement of
/// what it presented.
public enum Prober {
    /// Probes on NIO's shared event loops (one thread per core).
    public static func probe(_ options: ProbeOptions) async -> ProbeReport {
        await probe(options, group: MultiThreadedEventLoopGroup.singleton)
    }

    public static func probe(_ options: ProbeOptions, group: any EventLoopGroup) async -> ProbeReport {
        let started = DispatchTimeLike.now()
        let outcome: ProbeHandler.Outcome
        let sniffedFacts: ServerHelloFacts?
        do {
            let tlsContext = try sharedContext.get()
            let promise = group.next().makePromise(of: ProbeHandler.Outcome.self)
            let sniffer = NIOLoopBoundBox.makeEmptyBox(valueType: ServerHelloSniffer.self, eventLoop: promise.futureResult.eventLoop)
            let serverName = IPAddressText.bytes(options.nameToVerify) == nil ? options.nameToVerify : nil
            let bootstrap = ClientBootstrap(group: promise.futureResult.eventLoop)
                .connectTimeout(.milliseconds(Int64(options.timeout * 1000)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let chainBox = PeerChainBox()
                        let helloSniffer = ServerHelloSniffer()
                        sniffer.value = helloSniffer
                        let handler = ProbeHandler(options: options, promise: promise, sniffer: helloSniffer, chainBox: chainBox) {
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName) { certificates, verification in
                                chainBox.chain = certificates.compactMap { try? $0.toDERBytes() }
                                verification.succeed(.certificateVerified) // judged by Prober, with reasons
                            }
                        }
                        try channel.pipeline.syncOperations.addHandlers([helloSniffer, handler])
                    }
                }
            let connectStart = DispatchTimeLike.now()
            let channel: Channel
            do {
                channel = try await bootstrap.connect(host: options.host, port: options.port).get()
            } catch {
                promise.fail(error)
                return ProbeReport(host: options.host, port: options.port, verdict: .temp, reason: "cannot connect: \(describe(error))")
            }
            outcome = try await promise.futureResult.get()
            sniffedFacts = try await channel.eventLoop.submit { sniffer.value?.facts }.get()
            var report = await judge(outcome, facts: sniffedFacts, options: options)
            report.timings["connect"] = DispatchTimeLike.now().milliseconds(since: connectStart) - outcome.timings.values.reduce(0, +)
            report.timings["total"] = DispatchTimeLike.now().milliseconds(since: started)
            try? await channel.closeFuture.get()
            return report
        } catch {
            return ProbeReport(host: options.host, port: options.port, verdict: .software, reason: "\(error)")
        }
    }

    /// One TLS client context for every probe of the process (building one costs more than
    /// a handshake on loopback).
    static let sharedContext = Result { try NIOSSLContext(configuration: tlsConfiguration()) }

    static func tlsConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv1
        configuration.certificateVerification = .noHostnameVerification
        return configuration
    }

    /// Builds the report: SMTP facts, TLS facts, the chain, and the verdict on the chain.
    static func judge(_ outcome: ProbeHandler.Outcome, facts: ServerHelloFacts?, options: ProbeOptions) async -> ProbeReport {
        var report = ProbeReport(host: options.host, port: options.port, verdict: outcome.verdict ?? .ok, reason: outcome.reason)
        report.banner = outcome.banner
        report.capabilitiesBefore = outcome.capabilitiesBefore
        report.capabilitiesAfter = outcome.capabilitiesAfter
        report.startTLSOfferedAfterTLS = outcome.capabilitiesAfter.map { $0.contains { $0.uppercased().hasPrefix("STARTTLS") } }
        report.timings = outcome.timings
        report.tlsVersion = facts?.version ?? outcome.tlsVersion
        report.cipher = facts?.cipher
        report.group = facts?.group
        let presented = outcome.peerChain.compactMap { try? PresentedCertificate(der: $0) }
        report.chain = presented.map { describe($0.certificate, der: $0.der) }
        guard outcome.handshakeDone, !presented.isEmpty else { return report }

        let judgement = await ProbeJudgement.judge(presented, options: options)
        report.verification = judgement.description
        if let records = options.tlsaRecords {
            let match = await TLSAMatching.match(chain: presented.map { ($0.certificate, $0.der) }, records: records, name: options.nameToVerify)
            report.tlsaMatch = match.description
            if outcome.verdict == nil, let verdict = match.verdict {
                report.verdict = verdict
                report.reason = "TLS \(report.tlsVersion ?? ""), DANE: \(match.description)"
                return report
            }
        }
        if outcome.verdict == nil {
            report.verdict = judgement.verdict
            report.reason = judgement.verdict == .ok ? "TLS \(report.tlsVersion ?? "") with a certificate that verifies (\(judgement.description))"
                : "TLS \(report.tlsVersion ?? "") but \(judgement.description)"
        }
        if report.startTLSOfferedAfterTLS == true {
            report.reason += "; note: STARTTLS is offered again inside TLS (RFC 3207 says it must not be)"
        }
        return report
    }

    static func describe(_ certificate: Certificate, der: [UInt8]) -> ProbedCertificate {
        let names = ((try? certificate.extensions.subjectAlternativeNames) ?? nil).map { Array($0) } ?? []
        return ProbedCertificate(
            subject: NameFormatter.oneLine(certificate.subject), issuer: NameFormatter.oneLine(certificate.issuer),
            altNames: names.map(SubjectAltNames.describe),
            notBefore: UTCTimestamp.iso8601(certificate.notValidBefore), notAfter: UTCTimestamp.iso8601(certificate.notValidAfter),
            key: KeyDescription(certificate.publicKey).text,
            sha256: Hex.colonUpper(DigestAlgorithm.sha256.digest(der)),
            spkiSHA256: Hex.lower(DigestAlgorithm.sha256.digest(certificate.publicKey.spkiDER)))
    }

    static func describe(_ error: Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connect = error as? NIOConnectionError {
            if let dns = connect.dnsAAAAError ?? connect.dnsAError, connect.connectionErrors.isEmpty {
                return "\(connect.host) does not resolve (\(dns))"
            }
            if let first = connect.connectionErrors.first { return describe(first.error) }
        }
        if error is ChannelError { return "timed out connecting" }
        return "\(error)"
    }
}
