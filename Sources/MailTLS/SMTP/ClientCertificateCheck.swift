import X509

/// `serve --ask-client-cert`: what to say in `verify=` (the session log and the Received
/// header) about the chain a client presented, judged by ``ChainVerifier`` as OpenSSL judges
/// a client for Sendmail's `${verify}`: to a trusted certificate (or the leaf itself
/// trusted), every issuer a CA within its dates, and the leaf's usage allowing clientAuth.
enum ClientCertificateCheck {
    /// `.no` without a certificate, `.ok` when it verifies, else `.fail`. `presented` is DER,
    /// leaf first.
    static func verdict(presented: [[UInt8]], trusted: [Certificate]) async -> VerifyWord {
        guard !presented.isEmpty else { return .no }
        let chain = presented.compactMap { try? PresentedCertificate(der: $0) }
        guard chain.count == presented.count else { return .fail }
        return await ChainVerifier.client(anchors: trusted).verify(chain).isVerified ? .ok : .fail
    }
}
