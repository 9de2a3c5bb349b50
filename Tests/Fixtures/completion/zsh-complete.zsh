# Completes one command line in a real interactive zsh, run in a zpty, and prints each match
# as <match>. Usage: zsh -f zsh-complete.zsh FPATH_DIR 'stackctl rollout '
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
# Every match offered is printed; after the whole completion, a marker.
zpty -w z "compadd () { builtin compadd -O __hits \"\$@\"; (( \$#__hits )) && print -l -- '<'\${^__hits}'>'; builtin compadd \"\$@\" }"
zpty -w z "__done () { print -- '<<done>>' }; comppostfuncs=(__done)"
zpty -w z "print ready-marker"
zpty -r z line '*ready-marker*'
zpty -r z line '*ready-marker*'
zpty -w -n z "$2"$'\t'
zpty -r z out '*<<done>>*'
print -r -- "$out"
zpty -d z
