#!/srv/shop/venv/bin/python
# Rendered by stackctl for stack 'shop' on host 'app1'. Edits are overwritten by the next deploy.
# (body: LauncherScript.source, checked on its own)
