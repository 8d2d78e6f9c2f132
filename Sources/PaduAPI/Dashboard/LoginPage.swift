// The sign-in page. A plain form (no JavaScript) posting application/x-www-form-urlencoded
// `username` and `password` to /login.

/// Server-rendered HTML pages of the Padu dashboard. Every function returns a complete, self-contained
/// HTML document (inline CSS, inline SVG, no JavaScript, no external references) and is deterministic.
public enum DashboardPages {
    /// The login form.
    /// - Parameters:
    ///   - error: message to show in a `role="alert"` box (escaped), or nil.
    ///   - year: when given, sent back as a hidden `year` field so the server can return the user to that
    ///     year's dashboard after signing in.
    public static func loginPage(error: String?, year: Int?) -> String {
        var body = """
            <header class="site-header">
            <div class="wrap"><p class="brand"><strong>Padu</strong> — Penanggulangan Kemiskinan</p></div>
            </header>
            <main id="konten" class="login">
            <h1>Padu — Masuk</h1>

            """
        if let error {
            body += "<p class=\"error\" role=\"alert\" id=\"login-error\">\(DashboardHTML.escape(error))</p>\n"
        }
        let describedBy = error == nil ? "" : " aria-describedby=\"login-error\""
        body += """
            <form method="post" action="/login" enctype="application/x-www-form-urlencoded">
            <label for="username">Nama pengguna</label>
            <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" \
            spellcheck="false" required\(describedBy)>
            <label for="password">Kata sandi</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>

            """
        if let year {
            body += "<input type=\"hidden\" name=\"year\" value=\"\(year)\">\n"
        }
        body += """
            <button type="submit">Masuk</button>
            </form>
            </main>
            """
        return DashboardHTML.document(title: "Padu — Masuk", body: body)
    }
}
