#!/usr/bin/env bash
# Installs the tools `npm run bench` compares syncengine with, from Debian's packages: rsync, Unison,
# rclone, and GNU time (the harness reads each run's CPU time and peak RSS from it; the harness does its
# own rounds, so hyperfine is not needed). Run as root, or with sudo on the PATH. CI does not run this:
# the quick benchmark it runs needs none of them.
set -euo pipefail

packages=(rsync unison rclone time)
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"

rsync --version | sed -n 1p
unison -version
rclone --version | sed -n 1p
/usr/bin/time --version 2>&1 | sed -n 1p
