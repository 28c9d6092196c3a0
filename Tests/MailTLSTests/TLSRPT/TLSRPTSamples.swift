import Foundation
import Testing
@testable import MailTLS

/// Reports for the TLS-RPT tests: RFC 8460 §4.4's example (its schema), and the shapes real
/// senders send (Microsoft without sending-mta-ip, contact-info null, mx-host as a string or
/// an array, a result type outside the RFC's list).
enum TLSRPTSamples {
    /// RFC 8460 §4.4, with its `additional-information` on one line (the RFC folds it for print).
    static let rfc = """
    {
      "organization-name": "Company-X",
      "date-range": {
        "start-datetime": "2016-04-01T00:00:00Z",
        "end-datetime": "2016-04-01T23:59:59Z"
      },
      "contact-info": "sts-reporting@company-x.example",
      "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
      "policies": [{
        "policy": {
          "policy-type": "sts",
          "policy-string": ["version: STSv1","mode: testing",
                "mx: *.mail.company-y.example","max_age: 86400"],
          "policy-domain": "company-y.example",
          "mx-host": "*.mail.company-y.example"
        },
        "summary": {
          "total-successful-session-count": 5326,
          "total-failure-session-count": 303
        },
        "failure-details": [{
          "result-type": "certificate-expired",
          "sending-mta-ip": "2001:db8:abcd:0012::1",
          "receiving-mx-hostname": "mx1.mail.company-y.example",
          "failed-session-count": 100
        }, {
          "result-type": "starttls-not-supported",
          "sending-mta-ip": "2001:db8:abcd:0013::1",
          "receiving-mx-hostname": "mx2.mail.company-y.example",
          "receiving-ip": "203.0.113.56",
          "failed-session-count": 200,
          "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
        }, {
          "result-type": "validation-failure",
          "sending-mta-ip": "198.51.100.62",
          "receiving-ip": "203.0.113.58",
          "receiving-mx-hostname": "mx-backup.mail.company-y.example",
          "failed-session-count": 3,
          "failure-reason-code": "X509_V_ERR_PROOF_OF_POSSESSION"
        }]
      }]
    }
    """

    /// As Microsoft sends them: no sending-mta-ip in failure-details, mx-host an array.
    static let microsoft = """
    {"organization-name":"Microsoft Corporation","date-range":{"start-datetime":"2026-11-29T00:00:00Z","end-datetime":"2026-11-29T23:59:59Z"},\
    "contact-info":"tlsrpt-noreply@microsoft.com","report-id":"134091360000000000+example.org",\
    "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx1.example.org","mx: mx2.example.org","max_age: 604800"],\
    "policy-domain":"example.org","mx-host":["mx1.example.org","mx2.example.org"]},\
    "summary":{"total-successful-session-count":1180,"total-failure-session-count":12},\
    "failure-details":[{"result-type":"certificate-expired","receiving-mx-hostname":"mx2.example.org","receiving-ip":"192.0.2.26","failed-session-count":12}]}]}
    """

    /// As Google sends them: contact-info given, mx-host an array, no failures.
    static let google = """
    {"organization-name":"Google Inc.","date-range":{"start-datetime":"2026-11-30T00:00:00Z","end-datetime":"2026-11-30T23:59:59Z"},\
    "contact-info":"smtp-tls-reporting@google.com","report-id":"2026-11-30T00:00:00Z_example.org",\
    "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx1.example.org","mx: mx2.example.org","max_age: 604800"],\
    "policy-domain":"example.org","mx-host":["mx1.example.org","mx2.example.org"]},\
    "summary":{"total-successful-session-count":2410,"total-failure-session-count":0}}]}
    """

    /// A smaller sender: contact-info null, a DANE policy, a no-policy-found policy, a result
    /// type that is not in RFC 8460's list, a report-id as a number, times with an offset.
    static let quirky = """
    {"organization-name":"Small Mail GmbH","contact-info":null,"report-id":20261130,\
    "date-range":{"start-datetime":"2026-11-30T01:00:00+01:00","end-datetime":"2026-12-01T00:59:59.999+01:00"},\
    "policies":[{"policy":{"policy-type":"tlsa","policy-string":["3 1 1 0123456789abcdef"],"policy-domain":"example.net","mx-host":"mx.example.net"},\
    "summary":{"total-successful-session-count":7,"total-failure-session-count":4},\
    "failure-details":[{"result-type":"tls-downgrade-detected","sending-mta-ip":"198.51.100.9","receiving-ip":"192.0.2.80","failed-session-count":4}]},\
    {"policy":{"policy-type":"no-policy-found","policy-domain":"example.com"},"summary":{"total-successful-session-count":3,"total-failure-session-count":0}}]}
    """

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}

/// Python 3, the oracle for gzip and for mail messages (its `gzip` and `email` packages).
enum Python {
    static let path = "/usr/bin/python3"

    /// Runs `script` with `arguments` (sys.argv[1:]) and fails the test when it fails.
    static func run(_ script: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try MailTLSTests.run(path, ["-c", script] + arguments)
        #expect(result.status == 0, "python3 failed: \(result.stderr)", sourceLocation: sourceLocation)
        if result.status != 0 { throw MailTLSError("python3", result.stderr) }
    }
}
