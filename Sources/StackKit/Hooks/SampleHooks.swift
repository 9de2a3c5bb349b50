/// The hooks `stackctl init` writes beside a new manifest, as `NAME.sample`: they run only once
/// renamed to `NAME` and made executable. Each does nothing but say what it is for, except
/// post-deploy's, which tells the team through a chat webhook whose URL is a secret.
public enum SampleHooks {
    public static let files: [(name: String, text: String)] = Hook.allCases.map { hook in
        (hook.rawValue + ".sample", hook == .postDeploy ? webhook : quiet(hook))
    }

    static let when: [Hook: String] = [
        .preConnect: "before stackctl connects to any host (up, down, restart, rollout, rollback)",
        .preDeploy: "before `stackctl up` changes anything",
        .postDeploy: "after `stackctl up` succeeded",
        .onFailure: "after any of those commands failed",
        .preRollout: "before `stackctl rollout` or `rollback` moves anything",
        .postRollout: "after `stackctl rollout` or `rollback` succeeded",
    ]

    static let header = """
    # Rename to drop .sample and make it executable (chmod +x) to use it. It gets STACKCTL_COMMAND,
    # STACKCTL_DESTINATION, STACKCTL_STACK, STACKCTL_RELEASES (pool=id ...), STACKCTL_HOSTS,
    # STACKCTL_OPERATOR and, after a run, STACKCTL_OUTCOME (ok, or why it failed) and
    # STACKCTL_SECONDS. Its output is shown, secrets hidden; a pre- hook that fails stops the run
    # before anything changes (exit 12). It may take 120 s.
    """

    static func quiet(_ hook: Hook) -> String {
        "#!/bin/sh\n# \(hook.rawValue): runs \(when[hook]!).\n\(header)\nexit 0\n"
    }

    static let webhook = """
    #!/bin/sh
    # post-deploy: runs \(when[.postDeploy]!).
    \(header)
    #
    # Tells the team in chat (Slack, Mattermost, Rocket.Chat and Discord take this JSON). The
    # webhook's URL is a secret: export DEPLOY_WEBHOOK_URL, or read it from the password manager
    # here, as in: DEPLOY_WEBHOOK_URL=$(op read op://team/deploy-webhook/url)
    [ -n "${DEPLOY_WEBHOOK_URL:-}" ] || exit 0
    where="$STACKCTL_STACK${STACKCTL_DESTINATION:+ ($STACKCTL_DESTINATION)}"
    text="$STACKCTL_OPERATOR ran '$STACKCTL_COMMAND' on $where: $STACKCTL_OUTCOME in ${STACKCTL_SECONDS}s. $STACKCTL_RELEASES"
    body=$(printf '%s' "$text" | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g')
    exec curl -fsS -m 10 -H 'Content-Type: application/json' -d "{\\"text\\": \\"$body\\"}" "$DEPLOY_WEBHOOK_URL" -o /dev/null

    """
}
