namespace IncidentFunctions.WallarmSimulator;

/// <summary>An attacked endpoint and how it is attacked, as Wallarm would group hits into one attack.</summary>
internal sealed record AttackTemplate(string Type, string Method, string Path, string Parameter, string[] Point, string Target, string VulnType, string Title);

/// <summary>Realistic attack shapes (type codes from the Wallarm docs) and the hostile strings that exercise sanitising.</summary>
internal static class AttackCatalog
{
    public static readonly AttackTemplate[] Incidents =
    [
        new("sqli", "POST", "/api/v1/login", "POST_JSON_DOC_HASH_username_value", ["post", "json_doc", "hash", "username"], "database", "sqli", "SQL injection in login username"),
        new("sqli", "GET", "/products", "GET_category_value", ["get", "category"], "database", "sqli", "SQL injection in product category filter"),
        new("sqli", "GET", "/api/v2/orders/{id}", "URI_value", ["uri"], "database", "sqli", "SQL injection in order lookup path"),
        new("xss", "GET", "/search", "GET_q_value", ["get", "q"], "client", "xss", "Reflected XSS in search query"),
        new("xss", "POST", "/api/v1/reviews", "POST_JSON_DOC_HASH_comment_value", ["post", "json_doc", "hash", "comment"], "client", "xss", "Stored XSS in product reviews"),
        new("rce", "POST", "/api/v1/import", "POST_JSON_DOC_HASH_template_value", ["post", "json_doc", "hash", "template"], "server", "rce", "Remote code execution through import template"),
        new("rce", "GET", "/cgi-bin/status", "HEADER_USER-AGENT_value", ["header", "USER-AGENT"], "server", "rce", "Command injection in status CGI (User-Agent)"),
        new("ptrav", "GET", "/download", "GET_file_value", ["get", "file"], "server", "ptrav", "Path traversal in file download"),
        new("ptrav", "GET", "/static/{id}/..%2f..%2fetc/passwd", "URI_value", ["uri"], "server", "ptrav", "Path traversal in static assets"),
        new("ssrf", "POST", "/api/v1/webhooks/test", "POST_JSON_DOC_HASH_url_value", ["post", "json_doc", "hash", "url"], "server", "ssrf", "SSRF in webhook test endpoint"),
        new("ssrf", "GET", "/image-proxy", "GET_src_value", ["get", "src"], "server", "ssrf", "SSRF in image proxy"),
        new("xxe", "POST", "/api/v1/invoices/upload", "POST_XML_value", ["post", "xml"], "server", "xxe", "XXE in invoice upload"),
        new("nosqli", "POST", "/api/v1/session", "POST_JSON_DOC_HASH_password_value", ["post", "json_doc", "hash", "password"], "database", "nosqli", "NoSQL injection in session password"),
        new("crlf", "GET", "/redirect", "GET_next_value", ["get", "next"], "client", "crlf", "CRLF injection in redirect target"),
        new("redir", "GET", "/auth/callback", "GET_return_to_value", ["get", "return_to"], "client", "redir", "Open redirect in auth callback"),
        new("ssti", "POST", "/api/v1/mail/preview", "POST_JSON_DOC_HASH_body_value", ["post", "json_doc", "hash", "body"], "server", "rce", "Server-side template injection in mail preview"),
        new("ldapi", "GET", "/directory/search", "GET_uid_value", ["get", "uid"], "server", "info", "LDAP injection in directory search"),
        new("mass_assignment", "PATCH", "/api/v1/users/{id}", "POST_JSON_DOC_HASH_role_value", ["post", "json_doc", "hash", "role"], "server", "mass_assignment", "Mass assignment of user role"),
    ];

    public static readonly AttackTemplate[] PlainAttacks =
    [
        new("dirbust", "GET", "/.env", "URI_value", ["uri"], "server", "info", ""),
        new("brute", "POST", "/wp-login.php", "POST_pwd_value", ["post", "pwd"], "server", "info", ""),
        new("scanner", "GET", "/", "HEADER_USER-AGENT_value", ["header", "USER-AGENT"], "server", "info", ""),
        new("xss", "GET", "/blog", "GET_s_value", ["get", "s"], "client", "xss", ""),
        new("sqli", "GET", "/legacy/report.php", "GET_id_value", ["get", "id"], "database", "sqli", ""),
    ];

    /// <summary>Strings an attacker controls that must come out of reports and chat defused.</summary>
    public static readonly string[] HostilePaths =
    [
        "/invoice/\u202Efdp.exe",
        "/api/<!channel>/@everyone/@here",
        "/商品/日本語のパス/검색",
        "/emoji/🔥💥/😀",
        "/x?q=[click](https://evil.example/phish)&<script>alert(1)</script>",
        "/ctrl/\u0007\u001b[31mred\u0000",
        "/zalgo/t\u0338e\u0337s\u0335t\u0336",
        "/" + string.Concat(Enumerable.Repeat("A", 5000)),
        "/discord/<@&123456789>/<@987654321>/||spoiler||",
        "/teams/**bold**_under_`code`",
    ];

    public static readonly string[] HostileParameters =
    [
        "GET_<@U024BE7LH>_value",
        "POST_@everyone_value",
        "GET_\u202Eeulav_",
        "HEADER_X-<b>bold</b>_value",
    ];
}
