#!/usr/bin/python3
# Rendered by stackctl for stack 'lean' on host 'app1'. Edits are overwritten by the next deploy.
# (body: LauncherScript.source, checked on its own)
