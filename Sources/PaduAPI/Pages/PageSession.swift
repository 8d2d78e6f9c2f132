import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The pages' session: the API's own session token, carried in an HttpOnly, SameSite=Strict
/// cookie (Secure when the request came over HTTPS), and the CSRF token every POST form
/// carries: an HMAC of the session token under the server's page key, so it is the same for
/// the whole session and no other site can compute it.
struct PageSession: Sendable {
    static let cookie = "padu_session"
    /// The form field that carries the CSRF token.
    static let csrfField = "csrf"

    let token: String
    let csrf: String

    init(token: String, key: SymmetricKey) {
        self.token = token
        self.csrf = Self.csrf(for: token, key: key)
    }

    /// The session of a request's cookie, if it has one.
    init?(_ request: Request, key: SymmetricKey) {
        guard let token = request.cookies[Self.cookie]?.value, !token.isEmpty, token.count <= 200 else { return nil }
        self.init(token: token, key: key)
    }

    static func csrf(for token: String, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("csrf:" + token).utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a posted form carries this session's CSRF token (compared in constant time).
    func accepts(_ form: PageForm) -> Bool {
        guard let sent = form.value(Self.csrfField) else { return false }
        let a = Array(sent.utf8)
        let b = Array(csrf.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Whether the request reached us over HTTPS (directly, or through a proxy that says so).
    static func isHTTPS(_ request: Request) -> Bool {
        request.uri.scheme == .https
            || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// `Set-Cookie` for a new session.
    static func setCookie(_ token: String, lifetime: Int, request: Request) -> String {
        "\(cookie)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(lifetime)"
            + (isHTTPS(request) ? "; Secure" : "")
    }

    /// `Set-Cookie` that ends the session in the browser.
    static func clearCookie(_ request: Request) -> String {
        "\(cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (isHTTPS(request) ? "; Secure" : "")
    }
}
