extension ExampleManifest {
    /// The first line: where editors (yaml-language-server) find the schema, from the repository's root.
    public static let schemaComment = "# yaml-language-server: $schema=schema/deploy.schema.json"

    /// The example for a new project: its schema comment points at `schema` (an installed
    /// deploy.schema.json), or is left out when there is none; it ships `./static`.
    public static func forProject(schema: String?) -> String {
        var text = Self.text.replacingOccurrences(of: "{ source: examples/static }", with: "{ source: static }")
        text = text.replacingOccurrences(of: schemaComment + "\n", with: schema.map { "# yaml-language-server: $schema=\($0)\n" } ?? "")
        return text
    }
}
