/// CRL reason codes (RFC 5280 5.3.1), by the names `openssl ca -crl_reason` takes.
public enum RevocationReason: String, CaseIterable, Codable, Sendable {
    case unspecified
    case keyCompromise
    case caCompromise = "CACompromise"
    case affiliationChanged
    case superseded
    case cessationOfOperation
    case certificateHold
    case removeFromCRL
    case privilegeWithdrawn
    case aaCompromise = "AACompromise"

    /// The ENUMERATED value in the CRL entry's reasonCode extension.
    public var code: Int {
        switch self {
        case .unspecified: return 0
        case .keyCompromise: return 1
        case .caCompromise: return 2
        case .affiliationChanged: return 3
        case .superseded: return 4
        case .cessationOfOperation: return 5
        case .certificateHold: return 6
        case .removeFromCRL: return 8
        case .privilegeWithdrawn: return 9
        case .aaCompromise: return 10
        }
    }
}
