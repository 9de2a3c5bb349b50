#!/usr/bin/python3
# Rendered by stackctl for stack 'tiny' on host 'box'. Edits are overwritten by the next deploy.
# (body: LauncherScript.source, checked on its own)
