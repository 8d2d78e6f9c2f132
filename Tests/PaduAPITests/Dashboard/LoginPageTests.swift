import Testing

@testable import PaduAPI
@testable import PaduStore

@Suite("Login page")
struct LoginPageTests {
    @Test("has a titled, labelled form posting username and password to /login")
    func form() {
        let html = DashboardPages.loginPage(error: nil, year: nil)
        #expect(html.contains("<html lang=\"id\">"))
        #expect(html.contains("<title>Padu — Masuk</title>"))
        #expect(html.contains("<main id=\"konten\" class=\"login\">"))
        #expect(
            html.contains("<form method=\"post\" action=\"/login\" enctype=\"application/x-www-form-urlencoded\">"))
        #expect(html.contains("<label for=\"username\">Nama pengguna</label>"))
        #expect(html.contains("<input type=\"text\" id=\"username\" name=\"username\""))
        #expect(html.contains("<label for=\"password\">Kata sandi</label>"))
        #expect(html.contains("<input type=\"password\" id=\"password\" name=\"password\""))
        #expect(html.contains("<button type=\"submit\">Masuk</button>"))
        #expect(!html.contains("role=\"alert\""))
        #expect(!html.contains("name=\"year\""))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test("shows the error escaped in an alert and keeps the requested year")
    func error() {
        let html = DashboardPages.loginPage(error: #"Kata sandi salah <b>"x"</b> & 'y'"#, year: 2019)
        #expect(
            html.contains(
                "<p class=\"error\" role=\"alert\" id=\"login-error\">"
                    + "Kata sandi salah &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; &#39;y&#39;</p>"))
        #expect(html.contains("aria-describedby=\"login-error\""))
        #expect(html.contains("<input type=\"hidden\" name=\"year\" value=\"2019\">"))
        #expect(!html.contains("<b>"))
    }
}
