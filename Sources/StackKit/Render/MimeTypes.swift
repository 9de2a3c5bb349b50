/// A full mime table: lighttpd has none built in (a .css would go out as
/// application/octet-stream), and a standalone nginx config must carry its own.
public enum MimeTypes {
    public static let table: [(ext: String, type: String)] = [
        ("html", "text/html; charset=utf-8"), ("htm", "text/html; charset=utf-8"),
        ("css", "text/css; charset=utf-8"), ("js", "text/javascript; charset=utf-8"),
        ("mjs", "text/javascript; charset=utf-8"), ("json", "application/json"),
        ("map", "application/json"), ("webmanifest", "application/manifest+json"),
        ("xml", "application/xml"), ("rss", "application/rss+xml"), ("atom", "application/atom+xml"),
        ("txt", "text/plain; charset=utf-8"), ("csv", "text/csv; charset=utf-8"), ("md", "text/markdown; charset=utf-8"),
        ("ics", "text/calendar"), ("vcf", "text/vcard"),
        ("png", "image/png"), ("jpg", "image/jpeg"), ("jpeg", "image/jpeg"), ("gif", "image/gif"),
        ("webp", "image/webp"), ("avif", "image/avif"), ("svg", "image/svg+xml"), ("svgz", "image/svg+xml"),
        ("ico", "image/vnd.microsoft.icon"), ("bmp", "image/bmp"), ("tif", "image/tiff"), ("tiff", "image/tiff"),
        ("woff", "font/woff"), ("woff2", "font/woff2"), ("ttf", "font/ttf"), ("otf", "font/otf"),
        ("eot", "application/vnd.ms-fontobject"),
        ("mp3", "audio/mpeg"), ("ogg", "audio/ogg"), ("oga", "audio/ogg"), ("wav", "audio/wav"),
        ("m4a", "audio/mp4"), ("flac", "audio/flac"), ("weba", "audio/webm"),
        ("mp4", "video/mp4"), ("m4v", "video/mp4"), ("webm", "video/webm"), ("ogv", "video/ogg"),
        ("mov", "video/quicktime"), ("avi", "video/x-msvideo"),
        ("pdf", "application/pdf"), ("zip", "application/zip"), ("gz", "application/gzip"),
        ("tgz", "application/gzip"), ("tar", "application/x-tar"), ("bz2", "application/x-bzip2"),
        ("xz", "application/x-xz"), ("7z", "application/x-7z-compressed"), ("rar", "application/vnd.rar"),
        ("wasm", "application/wasm"), ("doc", "application/msword"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xls", "application/vnd.ms-excel"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ppt", "application/vnd.ms-powerpoint"),
        ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("odt", "application/vnd.oasis.opendocument.text"), ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("rtf", "application/rtf"), ("epub", "application/epub+zip"), ("swf", "application/x-shockwave-flash"),
        ("apk", "application/vnd.android.package-archive"), ("bin", "application/octet-stream"),
        ("exe", "application/octet-stream"), ("dmg", "application/octet-stream"), ("iso", "application/octet-stream"),
        ("deb", "application/octet-stream"), ("jar", "application/java-archive"),
        ("yaml", "text/yaml; charset=utf-8"), ("yml", "text/yaml; charset=utf-8"),
        ("xhtml", "application/xhtml+xml"), ("xsl", "application/xslt+xml"), ("dtd", "application/xml-dtd"),
        ("gpx", "application/gpx+xml"), ("kml", "application/vnd.google-earth.kml+xml"),
        ("jsonld", "application/ld+json"), ("geojson", "application/geo+json"),
    ]

    /// The built-in table with the manifest's entries applied, sorted by extension.
    public static func merged(with extra: [String: String]) -> [(ext: String, type: String)] {
        var all: [String: String] = [:]
        for (ext, type) in table { all[ext] = type }
        for (ext, type) in extra { all[ext] = type }
        return all.keys.sorted().map { ($0, all[$0]!) }
    }
}
