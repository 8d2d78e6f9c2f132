/// Name parts for synthetic persons: common in South Sumatra, combined at random.
enum DemoNames {
    static let male = [
        "Ahmad", "Muhammad", "Abdul", "Rudi", "Budi", "Agus", "Heri", "Dedi", "Joko", "Slamet", "Sutrisno", "Hendra",
        "Irwan", "Yusuf", "Rahmat", "Samsul", "Zainal", "Syahrial", "Firdaus", "Arif", "Bambang", "Darmawan", "Edi",
        "Fahmi", "Gunawan", "Hasan", "Iskandar", "Jamaluddin", "Kurniawan", "Lukman", "Mansur", "Nasrul", "Rizal",
        "Sofyan", "Taufik", "Wahyu", "Yudi", "Zulkifli", "Amir", "Bahrul", "Cik Ujang", "Dodi", "Erwin", "Hamdan",
    ]
    static let female = [
        "Siti", "Nur", "Sri", "Dewi", "Rina", "Yanti", "Aminah", "Fatimah", "Rohani", "Sumiati", "Ratna", "Wati",
        "Lestari", "Hartini", "Juliana", "Kartini", "Maryam", "Nurhayati", "Rosmala", "Salmah", "Suryani", "Yuliana",
        "Zubaidah", "Asmah", "Halimah", "Cik Ayu", "Desi", "Eka", "Fitri", "Indah", "Lina", "Mega", "Novi", "Putri",
    ]
    static let maleSecond = [
        "Saputra", "Hidayat", "Wijaya", "Pratama", "Rahman", "Effendi", "Syahputra", "Maulana", "Ramadhan", "Hakim",
        "Firmansyah", "Setiawan", "Nugroho", "Gunadi", "Hasibuan", "Harahap", "Sembiring", "Kusuma", "Irawan", "",
    ]
    static let femaleSecond = [
        "Saputri", "Susanti", "Handayani", "Kurnia", "Permata", "Sari", "Anggraini", "Rahmawati", "Purnamasari",
        "Wulandari", "Lestari", "Aisyah", "Khairunnisa", "Novitasari", "Ramadhani", "Oktaviani", "Marlina", "",
    ]
    static let hamlets = ["Dusun I", "Dusun II", "Dusun III", "Dusun IV", "Dusun V", "Lorong Jaya", "Lorong Damai"]
}
