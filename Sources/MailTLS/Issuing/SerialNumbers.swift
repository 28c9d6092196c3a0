import X509

/// Certificate serial numbers: 128 random bits (CA/Browser Forum asks for at least 64),
/// positive and non-zero, so no two certificates mailtls issues share one.
public enum SerialNumbers {
    public static func random() -> Certificate.SerialNumber {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        bytes[0] &= 0x7F
        if bytes[0] == 0 { bytes[0] = 0x01 } // keep 16 significant bytes and a positive number
        return Certificate.SerialNumber(bytes: bytes[...])
    }
}
