import ArgumentParser
import StackKit

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of deploy.yml, for editors that complete and check keys.",
        discussion: """
        The schema is made from the rules `stackctl validate` applies: every key, the required \
        ones, each value's characters, ranges and choices, and the rules between keys. What a \
        schema cannot say (a route names a pool that exists, two listeners on a host share a \
        port, a source directory is there) only `stackctl validate` checks. With \
        yaml-language-server (VS Code's YAML extension, and others), point a manifest at it with \
        a first line `# yaml-language-server: $schema=PATH`; `scripts/install` puts it in \
        PREFIX/share/stackctl/deploy.schema.json, and `stackctl init` writes that line.
        """)

    func run() throws {
        print(JSONSchema.text, terminator: "")
    }
}
