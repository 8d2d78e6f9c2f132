import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The pages' Mustache templates (`Resources/templates`), loaded once when the router is
/// built, and the responses they make. Values are HTML-escaped by the engine (`{{name}}`);
/// only the stylesheet is inserted raw.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Loads every `.mustache` file of the bundle's templates folder; a broken template stops
    /// the server at start, not a request.
    static func load() throws -> PageRenderer {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("templates").path else {
            throw PageTemplateMissing()
        }
        var templates: [String: MustacheTemplate] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".mustache") }
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        guard templates["layout-top"] != nil else { throw PageTemplateMissing() }
        return PageRenderer(library: MustacheLibrary(templates: templates))
    }

    /// A complete page from `template` and its model, with the pages' security headers.
    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        let text = library.render(model, withTemplate: template) ?? ""
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
                    + "frame-ancestors 'none'",
                .cacheControl: "no-store",
                HTTPField.Name("X-Frame-Options")!: "DENY",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 to `location` (after a POST that changed something, or to the sign-in page).
    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        if let cookie { response.headers[.setCookie] = cookie }
        return response
    }
}

struct PageTemplateMissing: Error {}
