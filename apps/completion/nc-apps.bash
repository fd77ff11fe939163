# bash completion for nc-enc, nc-dec, nc-info, nc-metric and nc-train (libnc).
# Options come from each app's --help, codec names from its -L list and trainer names
# from nc-train -l, asked of the app being completed, so they match the installed
# version; the keys of -o from the codec's or trainer's option list.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)): bash-completion's own idiom

# The first column of "APP -L" (after its header line): the codec names.
_nc_codecs()
{
    "$1" -L 2>/dev/null | awk 'NR > 1 { print $1 }'
}

# The option names (KEY=) that -o takes: nc-enc's of the codec -c names, nc-dec's of the
# decoder of the .nc file on the line (its codec read by nc-info beside nc-dec), nc-train's
# of the trainer named first (the KEY= words of its paragraph in nc-train -l).
_nc_codec_options()
{
    local app=$1 name=${1##*/} codec="" i
    case $name in
    nc-enc)
        for ((i = 1; i < cword; i++)); do
            case ${words[i]} in
            -c | --codec) codec=${words[i + 1]} ;;
            --codec=*) codec=${words[i]#--codec=} ;;
            esac
        done
        [[ -n $codec ]] && "$app" -c "$codec" --help 2>/dev/null
        ;;
    nc-dec)
        for ((i = 1; i < cword; i++)); do
            [[ ${words[i]} == *.nc && -f ${words[i]} ]] || continue
            codec=$("${app%nc-dec}nc-info" -j "${words[i]}" 2>/dev/null |
                sed -n 's/.*"codec": "\([a-z0-9_]*\)".*/\1/p')
            break
        done
        [[ -n $codec ]] && "$app" --codec-help "$codec" 2>/dev/null
        ;;
    nc-train)
        "$app" -l 2>/dev/null | awk -v t="${words[1]}" '
            /^[a-z]/ { on = $1 == t; next }
            on { for (i = 1; i <= NF; i++) if (match($i, /^[a-z_]+=/)) print substr($i, 1, RLENGTH) }' |
            sort -u | sed 's/^/  /; 1i Options'
        ;;
    esac | awk '/^Options/ { on = 1; next } on && /^  [a-z]/ { sub(/=.*/, "", $1); print $1 "=" }'
}

_nc_apps()
{
    local cur prev words cword split
    _init_completion -s || return
    local app=$1 name=${1##*/}

    case $name:$prev in
    nc-enc:-c | nc-enc:--codec | nc-dec:--codec-help)
        COMPREPLY=($(compgen -W "$(_nc_codecs "$app")" -- "$cur"))
        return
        ;;
    nc-enc:-o | nc-enc:--option | nc-dec:-o | nc-dec:--option | nc-train:-o)
        compopt -o nospace
        COMPREPLY=($(compgen -W "$(_nc_codec_options "$app")" -- "$cur"))
        return
        ;;
    nc-enc:--pix-fmt)
        COMPREPLY=($(compgen -W "gray rgb24 yuv420p" -- "$cur"))
        return
        ;;
    nc-dec:-s | nc-dec:--sample-format)
        COMPREPLY=($(compgen -W "s16 s24 f32" -- "$cur"))
        return
        ;;
    nc-metric:-t | nc-metric:--type)
        COMPREPLY=($(compgen -W "audio image video bytes" -- "$cur"))
        return
        ;;
    nc-train:-d | nc-train:--data)
        _filedir -d
        return
        ;;
    # values no list can offer: numbers, free options
    *:-b | *:--bitrate | *:--sample-rate | *:--channels | *:-ss | nc-dec:-t | nc-enc:--threads | \
        nc-metric:-d | nc-metric:--max-delay | nc-train:-[nstc] | \
        nc-train:--steps | nc-train:--seed | nc-train:--threads | nc-train:--checkpoint-every | \
        nc-train:--stop-at)
        return
        ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_parse_help "$app")" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    # nc-train's first word is the trainer: the unindented names of nc-train -l.
    if [[ $name == nc-train ]] && ((cword == 1)); then
        COMPREPLY=($(compgen -W "$("$app" -l 2>/dev/null | awk '/^[a-z]/ { print $1 }')" -- "$cur"))
        return
    fi
    _filedir
}
complete -F _nc_apps nc-enc nc-dec nc-info nc-metric nc-train
