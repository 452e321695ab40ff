#!/usr/bin/env bash
# Check grace's Prometheus alerting rules with promtool, and optionally the
# metrics exposition of a running grace.
#
# Usage:
#   scripts/promtool-check.sh                 # check and unit-test the rules
#   scripts/promtool-check.sh METRICS_URL     # also lint a live /metrics page
#
# METRICS_URL must point at this machine's loopback interface, for example
# http://127.0.0.1:8080/metrics (grace listens on 127.0.0.1:8080 unless
# BIND_ADDR sets another address).
#
# When promtool is missing, the script installs Debian's prometheus package
# with apt-get, which needs root (or sudo). On a host that runs systemd, the
# package also enables and starts a Prometheus server (Debian 12 does), so
# install promtool yourself there if you do not want one.
#
# Exit status: 0 when every check passes, 2 for bad usage, otherwise the
# status of the step that failed (promtool 2.42 returns 3 for lint problems
# in the metrics, curl 22 for an HTTP error and 7 for a refused connection).

set -Eeuo pipefail

# -E makes this trap run for failures inside functions too, so a failed run
# ends with a line that reports the failure and its exit status.
trap 'log "FAILED with exit status $?"' ERR

# Assigned apart from `readonly` so that set -e stops the script when cd fails.
rules_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../config/prometheus" && pwd)"
readonly rules_dir
readonly rules_file="alerts.yml"
readonly rules_test_file="alerts_test.yml"

usage() {
    echo "usage: $0 [METRICS_URL]" >&2
    echo "  METRICS_URL: a loopback http(s) URL of grace's /metrics, e.g. http://127.0.0.1:8080/metrics" >&2
}

log() {
    echo "promtool-check: $*" >&2
}

install_promtool() {
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null; then
            log "promtool is missing, and installing it needs root or sudo. Install Debian's prometheus package and rerun."
            exit 1
        fi
        sudo=(sudo)
    fi

    log "promtool not found, so installing Debian's prometheus package"
    # --no-install-recommends skips prometheus-node-exporter and its
    # hardware tools, which promtool does not need.
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends prometheus
}

# Succeeds when the URL's host is 127.0.0.0/8, localhost or [::1]. Other
# hosts are rejected because this check is meant for a grace running on the
# same machine, such as a developer's or CI's.
is_loopback_url() {
    local url=$1
    local pattern='^https?://(localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|\[::1\])(:[0-9]{1,5})?(/|$)'
    [[ $url =~ $pattern ]]
}

check_metrics_url() {
    local url=$1
    log "checking the metrics exposition at $url"
    # --noproxy keeps a configured HTTP proxy from receiving loopback
    # requests, and --fail turns an HTTP error into a non-zero exit, which
    # pipefail then reports.
    curl --fail --silent --show-error --max-time 10 --noproxy '*' \
        --proto '=http,https' "$url" | promtool check metrics
}

main() {
    if [[ $# -gt 1 ]]; then
        usage
        exit 2
    fi

    local metrics_url=${1:-}
    if [[ $metrics_url == "-h" || $metrics_url == "--help" ]]; then
        usage
        exit 0
    fi
    if [[ -n $metrics_url ]] && ! is_loopback_url "$metrics_url"; then
        log "invalid METRICS_URL '$metrics_url': expected an http(s) URL on 127.0.0.1, localhost or [::1]"
        usage
        exit 2
    fi

    if ! command -v promtool >/dev/null; then
        install_promtool
    fi
    promtool --version | head -n 1 >&2

    # Run from the rules folder, with the same commands as the headers of
    # alerts.yml and alerts_test.yml give, so a failure can be repeated by hand.
    cd "$rules_dir"
    promtool check rules "$rules_file"
    promtool test rules "$rules_test_file"

    if [[ -n $metrics_url ]]; then
        check_metrics_url "$metrics_url"
    fi

    log "all checks passed"
}

main "$@"
