/// `bundle check`: what a CACertFile really holds. Sendmail sets up client verification
/// only when its CACertFile exists and holds certificates, and says nothing otherwise,
/// so an empty or damaged bundle is an error here.
public enum BundleCheck {
    public struct Report: Sendable, Encodable {
        public var file: String
        public var certificates: Int
        public var crls: Int
        public var duplicates: Int
        public var expired: Int
        public var notCA: Int
        public var findings: [Finding]

        public var exitStatus: Int32 { ExitStatus.of(findings) }

        public init(file: String, certificates: Int = 0, crls: Int = 0, duplicates: Int = 0, expired: Int = 0,
                    notCA: Int = 0, findings: [Finding] = []) {
            self.file = file
            self.certificates = certificates
            self.crls = crls
            self.duplicates = duplicates
            self.expired = expired
            self.notCA = notCA
            self.findings = findings
        }
    }

    public static func check(_ path: String, now: Int64) throws -> Report {
        let bytes = try FileReading.bytes(of: path)
        var report = Report(file: path, certificates: 0, crls: 0, duplicates: 0, expired: 0, notCA: 0, findings: [])
        var objects: [(object: TrustObject, place: String)] = []
        /// Blocks an MTA skips (a request, an unknown label): warnings, unless they are all the file holds.
        var ignored: [(label: String, place: String)] = []
        if PEMScanner.looksLikePEM(bytes) {
            let blocks: [PEMBlock]
            do {
                blocks = try PEMScanner.blocks(in: String(decoding: bytes, as: UTF8.self))
            } catch {
                // Damaged as a whole (a block without END): say so via the file reader's wording.
                do { _ = try TrustFile.parse(bytes, path: path) } catch let error as MailTLSError { report.findings.append(Finding(error)) }
                return finish(report)
            }
            for block in blocks {
                let place = "\(path) (line \(block.line))"
                do {
                    switch block.label {
                    case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
                        objects.append((try TrustFile.certificate(in: block, path: path), place))
                    case "X509 CRL":
                        objects.append((try TrustObject.revocationList(der: block.der, path: place), place))
                    case let label where label.hasSuffix("PRIVATE KEY"):
                        report.findings.append(Finding(.error, place, "is a private key, in a file meant for CA certificates",
                                                       fix: "remove the key block from the file"))
                    default:
                        ignored.append((block.label, place))
                    }
                } catch let error as MailTLSError {
                    report.findings.append(Finding(error))
                }
            }
        } else {
            do {
                objects = try TrustFile.parse(bytes, path: path).objects.map { ($0, path) }
            } catch let error as MailTLSError {
                report.findings.append(Finding(error))
            }
        }
        var seen: [[UInt8]: String] = [:]
        for (object, place) in objects {
            if object.kind == .revocationList { report.crls += 1; continue }
            if let first = seen[object.sha256] {
                report.duplicates += 1
                report.findings.append(Finding(.warning, place, "repeats the certificate at \(first)", fix: "remove one copy"))
                continue
            }
            seen[object.sha256] = place
            report.certificates += 1
            do {
                _ = try object.hash(.new, path: place)
            } catch let error as MailTLSError {
                report.findings.append(Finding(error))
            }
            if let expiry = object.expiry, expiry < now {
                report.expired += 1
                report.findings.append(Finding(.warning, place, "expired: \(object.nameText)", fix: "remove it, or replace it with the CA's current certificate"))
            }
            if object.isCA == false {
                report.notCA += 1
                report.findings.append(Finding(.warning, place, "is not a CA certificate: \(object.nameText)",
                                               fix: "a CACertFile should hold the CAs that issue your peers' certificates"))
            }
        }
        return finish(report, ignored: ignored)
    }

    private static func finish(_ report: Report, ignored: [(label: String, place: String)] = []) -> Report {
        var report = report
        // One line per bad file: when the file is already reported as damaged, that error says
        // it; otherwise the blocks an MTA ignores are named in the one error, not beside it.
        if report.certificates == 0 && !report.findings.contains(where: { $0.severity == .error }) {
            let labels = ignored.map(\.label)
            let holds = labels.isEmpty ? "" : " (only \(labels.joined(separator: ", ")) block\(labels.count == 1 ? "" : "s"))"
            report.findings.append(Finding(.error, report.file, "holds no usable certificate\(holds), so Sendmail will not verify client certificates and will not say so",
                                           fix: "fill it with CA certificates: mailtls bundle join CA --out \(report.file)"))
        } else if report.certificates > 0 {
            report.findings += ignored.map { Finding(.warning, $0.place, "is a \($0.label) block, which an MTA ignores here", fix: "remove it") }
        }
        return report
    }
}
