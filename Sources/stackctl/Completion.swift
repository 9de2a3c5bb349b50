import ArgumentParser

extension CompletionShell: @retroactive ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
    public static var allValueStrings: [String] { CompletionShell.allCases.map(\.rawValue) }
}

struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
        Pools, `middle`/`front` and hosts complete from the manifest the command line names \
        (-f FILE, else ./deploy.yml), read when TAB is pressed. `scripts/install PREFIX` installs \
        the three scripts where each shell looks. By hand, for yourself:

          stackctl completion bash > ~/.local/share/bash-completion/completions/stackctl
          stackctl completion fish > ~/.config/fish/completions/stackctl.fish
          stackctl completion zsh > ~/.zfunc/_stackctl

        (for zsh, with ~/.zfunc in fpath before compinit runs).
        """)

    @Argument(help: "The shell.")
    var shell: CompletionShell

    func run() {
        print(Self.script(for: shell), terminator: "")
    }

    /// The argument parser's script. For fish, the cursor's place in the word is asked in a way
    /// fish 3 answers too: `commandline -tC` prints nothing under fish 3.6 (Debian 12's), and
    /// every custom completion then failed.
    static func script(for shell: CompletionShell) -> String {
        let script = StackCtl.completionScript(for: shell)
        guard shell == .fish else { return script }
        return script.replacingOccurrences(of: "(__stackctl_tokens -tC)", with: "(string length -- (commandline -ct))")
    }
}
