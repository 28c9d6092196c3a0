/// The version `mailtls --version` prints.
public enum MailTLSVersion {
    public static let string = "0.1.0"
}
