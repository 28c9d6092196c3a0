/// Where `ca sign` and `ca renew` write a certificate (with its chain.pem and fullchain.pem
/// beside it, under the same stem).
public enum SignedOutput {
    /// `--out FILE`, else beside the input under its own name (`x.csr` → `x.cert`), or under
    /// `defaultStem` when one is given (`ca renew host.cert` writes new.cert, for `promote`).
    public static func layout(out: String?, besides input: String, stem defaultStem: String? = nil) -> CertsLayout {
        let path = out ?? input
        var name = Paths.fileName(of: path)
        for suffix in [".csr", ".cert", ".crt", ".pem", ".req"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        return CertsLayout(directory: Paths.directory(of: path), stem: out == nil ? (defaultStem ?? name) : name)
    }

    /// For `ca renew REFERENCE`: `--out`, else new.* beside the certificate file named, else
    /// (a serial was given) `issued/renewed-<serial>.*` in the CA directory. `besideFile` says
    /// whether it went beside the admin's certificate, where `promote` puts it into service.
    public static func renewal(of reference: String, entry: CAIndex.Entry, out: String?, ca: CALayout)
        -> (layout: CertsLayout, besideFile: Bool)
    {
        let isFile = FileReading.exists(reference)
        guard out != nil || isFile else {
            return (CertsLayout(directory: ca.issuedDirectory, stem: "renewed-\(entry.serial)"), false)
        }
        return (layout(out: out, besides: reference, stem: "new"), isFile && out == nil)
    }
}
