import Foundation

/// The language of an error's `message` and `details[].problem`: Bahasa Indonesia unless the
/// request's `Accept-Language` prefers English. `code` and `field` never change.
///
/// Messages are written once, in English, where they arise; the English text is the key of
/// `MessageCatalogue.indonesian`, the one place that gives each its Indonesian. A test scans
/// the sources for every message literal and fails when the catalogue lacks one.
enum Language: String, Sendable {
    case indonesian = "id"
    case english = "en"

    /// From an `Accept-Language` header (`en`, `en-US`, `en;q=0.9,id;q=0.8`, `*`): the
    /// supported language with the highest weight, the first listed on a tie; Indonesian
    /// when the header is absent or names neither.
    init(acceptLanguage header: String?) {
        var best: (language: Language, weight: Double)? = nil
        for range in (header ?? "").split(separator: ",") {
            let parts = range.split(separator: ";")
            let tag = parts.first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                }
                if pair.count == 2, pair[0] == "q" { weight = Double(pair[1]).map { min(max($0, 0), 1) } ?? 0 }
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            let language: Language? =
                switch primary {
                case "en": .english
                case "id", "in", "*": .indonesian  // `in` is the old code for Indonesian
                default: nil
                }
            guard let language, weight > 0 else { continue }
            if best == nil || weight > best!.weight { best = (language, weight) }
        }
        self = best?.language ?? .indonesian
    }

    /// A message or problem in this language.
    func text(_ english: String) -> String {
        self == .english ? english : MessageCatalogue.indonesian(english) ?? english
    }
}

enum MessageCatalogue {
    /// The Indonesian of an English message: an exact entry, or an entry with `{}` holes
    /// (values such as numbers and field names) that the message fits; the values are put into
    /// the Indonesian in order, each translated too when the catalogue has it (`programme`).
    static func indonesian(_ english: String) -> String? {
        if let exact = entries[english] { return exact }
        for template in templates {
            guard let values = template.match(english) else { continue }
            var result = ""
            var index = 0
            var rest = Substring(template.indonesian)
            while let hole = rest.range(of: "{}") {
                result += rest[..<hole.lowerBound]
                let value = index < values.count ? values[index] : ""
                result += entries[value] ?? value
                index += 1
                rest = rest[hole.upperBound...]
            }
            return result + rest
        }
        return nil
    }

    struct Template {
        var parts: [String]
        var indonesian: String

        /// The values in the holes when `text` fits this template.
        func match(_ text: String) -> [String]? {
            guard let first = parts.first, let last = parts.last, text.hasPrefix(first), text.hasSuffix(last),
                text.count >= first.count + last.count
            else { return nil }
            var values: [String] = []
            var rest = text.dropFirst(first.count).dropLast(last.count)
            for part in parts.dropFirst().dropLast() {
                guard let found = rest.range(of: part) else { return nil }
                values.append(String(rest[..<found.lowerBound]))
                rest = rest[found.upperBound...]
            }
            values.append(String(rest))
            return values
        }
    }

    /// Entries with holes, most literal text first so that the most specific one wins.
    static let templates: [Template] = entries.filter { $0.key.contains("{}") }
        .map { Template(parts: $0.key.components(separatedBy: "{}"), indonesian: $0.value) }
        .sorted { $0.parts.joined().count > $1.parts.joined().count }

    /// English → Indonesian. Keys are the messages exactly as the code writes them, with `{}`
    /// for each interpolated value.
    static let entries: [String: String] = [
        // Access and the envelope's general messages.
        "sign in first: the token is missing, expired or revoked":
            "Silakan masuk terlebih dahulu: token tidak ada, sudah kedaluwarsa, atau telah dicabut",
        "your role may not do this": "Anda tidak berhak melakukan tindakan ini",
        "wrong username or password": "Nama pengguna atau kata sandi salah",
        "too many failed attempts; try again later": "Terlalu banyak percobaan yang gagal; silakan coba lagi nanti",
        "the database is unavailable; try again shortly":
            "Basis data sedang tidak tersedia; silakan coba lagi sebentar lagi",
        "something went wrong on our side; quote request id {}":
            "Terjadi kesalahan pada sistem kami; sebutkan nomor permintaan {}",
        "a concurrent change got in the way; retry": "Perubahan lain terjadi bersamaan; silakan ulangi",
        "a record with the same key exists": "Data dengan kunci yang sama sudah ada",
        "some fields are not valid": "Beberapa isian tidak valid",
        "this path does not take that method": "Alamat ini tidak menerima metode tersebut",
        "this path does not take {}; it takes {}": "Alamat ini tidak menerima {}; yang diterima: {}",
        "send {}": "Kirimkan {}",
        "the body is larger than {} bytes": "Isi permintaan melebihi {} bita",
        "the body is too large": "Isi permintaan terlalu besar",
        "the body is not valid JSON": "Isi permintaan bukan JSON yang valid",
        "the body could not be read": "Isi permintaan tidak dapat dibaca",
        "a request with this Idempotency-Key is in progress":
            "Permintaan dengan Idempotency-Key ini sedang diproses",
        "this Idempotency-Key was used with a different request":
            "Idempotency-Key ini sudah dipakai untuk permintaan yang berbeda",
        "this account checked its hourly allowance of recipients; try again next hour":
            "Akun ini telah mencapai batas pemeriksaan penerima per jam; silakan coba lagi pada jam berikutnya",
        "no such {}": "{} tidak ditemukan",
        "no such account": "Akun tidak ditemukan",
        "no such agency": "Instansi tidak ditemukan",
        "no such person": "Orang tidak ditemukan",
        "no such plan": "Rencana tidak ditemukan",
        "no such programme": "Program tidak ditemukan",
        "no such region": "Wilayah tidak ditemukan",
        "no such route": "Alamat tidak ditemukan",
        "no such template": "Templat tidak ditemukan",
        "no such possible duplicate": "Kemungkinan duplikat tidak ditemukan",
        "no such realization": "Realisasi tidak ditemukan",
        "no such delivery": "Penyaluran tidak ditemukan",
        "no such household": "Keluarga tidak ditemukan",
        // Reversals, decisions, the household view, the summary and the dashboard (v1.1).
        "this realization is already reversed": "Realisasi ini sudah dibatalkan",
        "this delivery is already reversed": "Penyaluran ini sudah dibatalkan",
        "carries {}: acknowledge them in acknowledged, or reject the line":
            "memuat tanda {}: akui tanda itu di acknowledged, atau tolak baris ini",
        "is not a flag of the check": "bukan tanda hasil pemeriksaan",
        "is not a recipient of this plan: give its line_no, nik or kk":
            "bukan penerima dalam rencana ini: sebutkan line_no, nik, atau kk-nya",
        "a flagged line is approved only when its flags are acknowledged":
            "Baris bertanda hanya dapat disetujui bila tandanya sudah diakui",
        "is not a kecamatan of your scope": "bukan kecamatan dalam wilayah Anda",
        "must be a kecamatan code like 16.06.01": "harus kode kecamatan seperti 16.06.01",
        "must not be before from": "tidak boleh sebelum from",
        "must be a quarter of {}": "harus triwulan dari tahun {}",
        "must be district, village, kecamatan or desa": "harus district, village, kecamatan, atau desa",
        "the period is closed: its reports cannot be filed or changed":
            "Periode sudah ditutup: laporannya tidak dapat diajukan atau diubah",
        "the plan is not in a state that allows this": "Status rencana tidak memungkinkan tindakan ini",
        "the plan is {}, not a draft": "Rencana berstatus {}, bukan draf",
        "the plan is {}, not submitted": "Rencana berstatus {}, bukan diajukan",
        "every recipient needs an approved plan line; nothing was recorded":
            "Setiap penerima wajib memiliki baris rencana yang disetujui; tidak ada yang dicatat",
        "an admin may only change requires_coordination": "Admin hanya boleh mengubah requires_coordination",
        "only an admin may change requires_coordination": "Hanya admin yang boleh mengubah requires_coordination",
        "only an admin may exempt a programme from coordination":
            "Hanya admin yang boleh membebaskan program dari koordinasi",
        "only the coordinator of the programme's cluster decides its plans":
            "Hanya koordinator klaster program yang berhak memutuskan rencananya",
        "CSV: a quoted field opened before line {} never closes":
            "CSV: isian bertanda kutip yang dibuka sebelum baris {} tidak pernah ditutup",
        "the CSV is not UTF-8 text": "CSV bukan teks UTF-8",
        "the workbook unpacks to more than {} bytes": "Isi buku kerja setelah diekstrak melebihi {} bita",

        // Problems: presence and shape.
        "is required": "wajib diisi",
        "is not valid": "tidak valid",
        "is not allowed": "tidak diperbolehkan",
        "is out of range": "di luar rentang yang diperbolehkan",
        "is too long": "terlalu panjang",
        "cannot change": "tidak dapat diubah",
        "cannot change; create another account": "tidak dapat diubah; buatlah akun lain",
        "refers to nothing that exists": "merujuk pada data yang tidak ada",
        "must not be empty": "tidak boleh kosong",
        "must not be negative": "tidak boleh negatif",
        "must be a whole number": "harus berupa bilangan bulat",
        "must be a whole number from -9223372036854775808 to 9223372036854775807":
            "harus berupa bilangan bulat dari -9223372036854775808 sampai 9223372036854775807",
        "must be a whole number from 1 to 1000": "harus berupa bilangan bulat dari 1 sampai 1000",
        "must be {}": "harus {}",
        "must be {}, not null": "harus {}, tidak boleh null",
        "a string": "berupa teks",
        "true or false": "true atau false",
        "a whole number": "berupa bilangan bulat",
        "a number": "berupa angka",
        "a value of the right type": "berupa nilai dengan jenis yang benar",
        "must not contain the character NUL (\\u0000)": "tidak boleh memuat karakter NUL (\\u0000)",
        "must be one of {}": "harus salah satu dari {}",
        "must be at most {} characters": "paling banyak {} karakter",
        "must be at most 500 characters": "paling banyak 500 karakter",
        "must be at most 2000 characters": "paling banyak 2000 karakter",
        "must be at most 10000 characters": "paling banyak 10000 karakter",
        "must be 1 to 200 characters": "harus 1 sampai 200 karakter",
        "must have at least {} characters": "paling sedikit {} karakter",
        "must be from {} to {}": "harus dari {} sampai {}",
        "must be at most {} rupiah": "paling banyak {} rupiah",
        "must be a year from {} to {}": "harus tahun dari {} sampai {}",
        "must be a date from {} to {}": "harus tanggal dari {} sampai {}",
        "must be between 2000 and 2100, got {}": "harus antara 2000 dan 2100, tertulis {}",
        "must be 1 to 10, got {}": "harus 1 sampai 10, tertulis {}",
        "must be 1 to 12, got {}": "harus 1 sampai 12, tertulis {}",
        "quarter must be 1 to 4, got {}": "triwulan harus 1 sampai 4, tertulis {}",
        "year must be between 0001 and 9999, got {}": "tahun harus antara 0001 dan 9999, tertulis {}",
        "must look like 2019-Q2": "harus berbentuk seperti 2019-Q2",
        "must be a quarter of fiscal_year {}": "harus triwulan dari fiscal_year {}",
        "must be a real date written as YYYY-MM-DD": "harus tanggal yang benar dengan format YYYY-MM-DD",
        "must be M or F": "harus M atau F",
        "must be district or village": "harus district atau village",
        "must be excel or standard": "harus excel atau standard",
        "must be one of same_person, different": "harus salah satu dari same_person, different",
        "must be 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit":
            "harus 1-40 huruf, angka, '.', '_' atau '-', diawali huruf atau angka",
        "must be 2-40 capital letters, digits, '_' or '-'": "harus 2-40 huruf kapital, angka, '_' atau '-'",
        "must be 3-64 lowercase letters, digits, '.', '_' or '-'": "harus 3-64 huruf kecil, angka, '.', '_' atau '-'",
        "is not a cursor this API gave out": "bukan kursor yang diberikan oleh API ini",

        // Identifiers and regions.
        "must contain only the digits 0-9, with no spaces": "hanya boleh berisi angka 0-9, tanpa spasi",
        "must be 16 digits, got {}": "harus 16 digit, tertulis {}",
        "must be 6 digits": "harus 6 digit",
        "must look like 16, 16.06, 16.06.01 or 16.06.01.2001":
            "harus berbentuk seperti 16, 16.06, 16.06.01 atau 16.06.01.2001",
        "{} code {} is not valid": "kode {} {} tidak valid",
        "province": "provinsi",
        "regency": "kabupaten",
        "district": "kecamatan",
        "village": "desa/kelurahan",
        "village code {} must start with 1 (kelurahan) or 2 (desa)":
            "kode desa {} harus diawali 1 (kelurahan) atau 2 (desa)",
        "serial 0000 is not valid": "nomor urut 0000 tidak valid",
        "{} day {} is not valid (must be {})": "tanggal {} {} tidak valid (harus {})",
        "{} month {} is not valid (must be 01-12)": "bulan {} {} tidak valid (harus 01-12)",
        "{} date {} is not a real date": "tanggal {} {} bukan tanggal yang benar",
        "{} date {} is not a real date (neither {} nor {} is a leap year)":
            "tanggal {} {} bukan tanggal yang benar ({} maupun {} bukan tahun kabisat)",
        "birth": "lahir",
        "registration": "terbit",
        "must be a village (desa/kelurahan) code like 16.06.01.2001":
            "harus kode desa/kelurahan seperti 16.06.01.2001",
        "is not a village code in your region scope": "bukan kode desa dalam cakupan wilayah Anda",
        "its first six digits are not a real district code": "enam digit pertamanya bukan kode kecamatan yang ada",
        "does not match birth_date and sex (DDMMYY, day + 40 for women)":
            "tidak sesuai dengan birth_date dan sex (DDMMYY, tanggal + 40 untuk perempuan)",

        // Lists, plans and deliveries.
        "give a nik or a kk": "isi nik atau kk",
        "give a nik or a kk, not both": "isi nik atau kk, jangan keduanya",
        "at most {} in one request": "paling banyak {} dalam satu permintaan",
        "appears again (first at {})": "muncul lagi (pertama di {})",
        "appears twice": "muncul dua kali",
        "is not a recipient of this plan": "bukan penerima dalam rencana ini",
        "is required to reject a plan": "wajib diisi untuk menolak rencana",
        "is required for an {} account": "wajib diisi untuk akun {}",
        "is required: the programme has {} funding sources for {}":
            "wajib diisi: program memiliki {} sumber dana untuk {}",
        "has no approved plan line of this programme for {}":
            "tidak memiliki baris rencana yang disetujui untuk program ini pada tahun {}",
        "the recipient has no approved plan line": "penerima tidak memiliki baris rencana yang disetujui",
        "exceeds the plan line's planned quantity or value":
            "melebihi jumlah atau nilai yang direncanakan pada baris rencana",
        "exceeds the allocation; give over_budget_reason": "melebihi alokasi; isi over_budget_reason",
        "is not a region this deployment serves, or lies outside the agency's regency":
            "bukan wilayah yang dilayani penerapan ini, atau di luar kabupaten/kota OPD-nya",
        "lowers the budget below what is already realised; give below_realised_reason":
            "menurunkan anggaran di bawah realisasi yang sudah ada; isi below_realised_reason",
        "must list at least one person": "harus memuat paling sedikit satu orang",

        // Spreadsheets.
        "needs a nik or kk column": "memerlukan kolom nik atau kk",
        "missing columns: {}": "kolom yang belum ada: {}",
        "differs from row {} of the same kk": "berbeda dari baris {} dengan kk yang sama",
        "the CSV is empty": "CSV kosong",
        "the CSV has no rows": "CSV tidak memiliki baris data",
        "is not a readable XLSX workbook: {}": "bukan buku kerja XLSX yang dapat dibaca: {}",
        "it is not a ZIP archive": "berkas bukan arsip ZIP",
        "it has no worksheet": "tidak ada lembar kerja",
        "its XML does not parse": "XML-nya tidak dapat dibaca",
        "its part {} cannot be unpacked": "bagian {} tidak dapat diekstrak",
        "the first sheet has more than {} rows below the header":
            "lembar pertama memuat lebih dari {} baris di bawah judul kolom",
        "reads {}: a spreadsheet turned this column into numbers and lost digits; format the column as Text and type the 16 digits again":
            "tertulis {}: aplikasi lembar kerja mengubah kolom ini menjadi angka sehingga digitnya hilang; ubah format kolom menjadi Teks (Text) lalu ketik ulang ke-16 digitnya",
    ]
}
