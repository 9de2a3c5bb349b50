import ArgumentParser

@main
struct StackCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stackctl",
        abstract: "Deploy three-tier Python web stacks (Apache -> lighttpd/nginx -> flup) from one manifest.",
        version: "0.1.0",
        subcommands: [Init.self, Validate.self, Schema.self, Completion.self, Render.self, Check.self, Plan.self, Up.self, Down.self,
            Status.self, Rollout.self, Rollback.self, Restart.self, Logs.self, Lock.self, History.self, Exec.self, Maintenance.self]
    )
}
