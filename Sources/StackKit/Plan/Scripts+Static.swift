import Foundation

extension Scripts {
    /// Puts release `release` of a shipped static directory live on a middle host: unpacks it
    /// into `releases/ID` (once), builds `served/ID` from hard links of the release served
    /// until now and then of the new one over it (a page of either release finds its assets),
    /// switches `current` to it atomically, and keeps the newest `keep` of each.
    public static func placeStatic(_ shipped: ShippedStatic, _ release: ReleaseArchive, keep: Int, _ plan: HostPlan) -> HostScript<SwitchReply> {
        let dir = plan.topology.staticDirectory(shipped.name), id = release.id
        let releases = dir + "/releases", served = dir + "/served", current = dir + "/current"
        let data = Data(release.tarGz).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        let s: ShellCode = """
        mkdir -p \(releases) \(served)
        if [ ! -f \(releases + "/" + id + ".ready") ]; then
          rm -rf \(releases + "/" + id + ".tmp") \(releases + "/" + id) && mkdir -p \(releases + "/" + id + ".tmp")
          \(unpackRelease(data, into: releases + "/" + id + ".tmp"))
          mv \(releases + "/" + id + ".tmp") \(releases + "/" + id) && touch \(releases + "/" + id) \(releases + "/" + id + ".ready")
        fi
        old=$(basename "$(readlink \(current) 2>/dev/null)" 2>/dev/null)
        if [ "$old" != \(id) ]; then
          rm -rf \(served + "/" + id + ".tmp") && mkdir -p \(served + "/" + id + ".tmp")
          if [ -n "$old" ] && [ -d \(releases)/"$old" ]; then
            \(("run 'link the release served until now' cp -al \(releases)/\"$old\"/. \(served + "/" + id + ".tmp")/" as ShellCode).printing(.ok, .fail))
          fi
          \(ShellCode.step("link release " + id, ["cp", "-al", "--remove-destination", releases + "/" + id + "/.", served + "/" + id + ".tmp/"]))
          rm -rf \(served + "/" + id) && mv \(served + "/" + id + ".tmp") \(served + "/" + id) && touch \(served + "/" + id)
          ln -sfn \("served/" + id) \(current + ".new") && mv -T \(current + ".new") \(current)
        fi
        \(ShellCode.emit(.switched, #""$old""#, "\(id)"))
        keep() { ls -1t "$1" | grep -v -e '\\.tmp$' -e '\\.ready$' | grep -v -x -e \(id) -e "$old" | tail -n +\(String(max(keep - 1, 1))); }
        for r in $(keep \(releases)); do rm -rf \(releases)/"$r" \(releases)/"$r".ready; done
        for r in $(keep \(served)); do rm -rf \(served)/"$r"; done

        """
        return HostScript(.staticRelease, s)
    }
}
