#!/usr/bin/env bash
# Base images for the cluster's Dockerfile and compose file where no registry can be reached.
# For each of node:20-bookworm-slim, redis:7-alpine and nginx:1.27-alpine: use it when the engine
# already has it or can pull it; otherwise build a local stand-in from Debian's packages
# (debootstrap + `docker import`) and say so. Stand-ins are kept and reused on the next run.
# Prints the variables to use, e.g.  eval "$(infra/docker/base-images.sh)"  then
#   docker build --build-arg NODE_IMAGE="$NODE_IMAGE" -t cataract-api .
#   NODE_IMAGE=... REDIS_IMAGE=... NGINX_IMAGE=... docker-compose up --build
# Needs root (debootstrap, chroot), debootstrap, and Node 20 on this machine (copied into the
# node stand-in: Debian's own nodejs is 18). Set PULL_TIMEOUT=0 to skip the pull attempts.
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
PULL_TIMEOUT=${PULL_TIMEOUT:-20}
say() { echo "base-images: $*" >&2; }

have() { $DOCKER image inspect "$1" >/dev/null 2>&1; }
pullable() { # IMAGE: already present, or pulled within PULL_TIMEOUT seconds
  have "$1" && return 0
  (( PULL_TIMEOUT > 0 )) || return 1
  timeout "$PULL_TIMEOUT" $DOCKER pull -q "$1" >/dev/null 2>&1
}
rootfs_of() { # IMAGE DIR: the image's file system, unpacked
  local c; c=$($DOCKER create "$1" true)
  $DOCKER export "$c" | tar -x -C "$2"; $DOCKER rm "$c" >/dev/null
}
import_dir() { # DIR IMAGE CHANGE...: a directory as a one-layer image
  local dir=$1 image=$2; shift 2
  local args=(); for c in "$@"; do args+=(-c "$c"); done
  tar -C "$dir" -c . | $DOCKER import "${args[@]}" - "$image" >/dev/null
  rm -rf "$dir"
}
minbase() { # Debian 12 minbase, the root of every stand-in
  have local/bookworm:minbase && return
  local root; root=$(mktemp -d)
  say "debootstrap --variant=minbase bookworm (Debian's mirror)"
  debootstrap --variant=minbase bookworm "$root" >/dev/null 2>&1 || { say "debootstrap failed"; exit 1; }
  import_dir "$root" local/bookworm:minbase
}
apt_standin() { # IMAGE PACKAGES CHANGE...: minbase + Debian packages
  local image=$1 pkgs=$2; shift 2
  local root; root=$(mktemp -d); rootfs_of local/bookworm:minbase "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs && apt-get clean && rm -rf /var/lib/apt/lists/*" >/dev/null 2>&1 \
    || { say "could not install $pkgs for $image"; rm -rf "$root"; exit 1; }
  : >"$root/etc/resolv.conf"
  if [[ $pkgs == redis-server ]]; then
    # The official image serves other containers: no protected mode, whatever the command line.
    printf '#!/bin/sh\nexec /usr/bin/redis-server "$@" --protected-mode no\n' >"$root/usr/local/bin/redis-server"
    chmod +x "$root/usr/local/bin/redis-server"; mkdir -p "$root/data"
  fi
  import_dir "$root" "$image" "$@"
}
node_standin() { # minbase + this machine's Node 20 and npm, user node (1000) as in the official image
  local root; root=$(mktemp -d); rootfs_of local/bookworm:minbase "$root"
  local node; node=$(command -v node)
  [[ $("$node" --version) == v20.* ]] || { say "this machine's node is $("$node" --version), want v20"; exit 1; }
  local npm_dir; npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$root/usr/local/lib/node_modules"; cp "$node" "$root/usr/local/bin/node"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" /bin/sh -c 'groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/bash node'
  import_dir "$root" "$1" 'CMD ["node"]'
}

# official name | stand-in name | how to build it
resolve() {
  local official=$1 standin=$2 builder=$3
  if pullable "$official"; then echo "$official"; return; fi
  if ! have "$standin"; then
    say "$official cannot be pulled: building the local stand-in $standin from Debian packages"
    minbase; "$builder" "$standin"
  else
    say "$official cannot be pulled: using the local stand-in $standin"
  fi
  echo "$standin"
}
redis_standin() { apt_standin "$1" redis-server 'WORKDIR /data' 'EXPOSE 6379' 'CMD ["redis-server"]'; }
nginx_standin() { apt_standin "$1" nginx 'EXPOSE 80' 'CMD ["nginx", "-g", "daemon off;"]'; }

NODE_IMAGE=$(resolve node:20-bookworm-slim local/node:20-bookworm-slim node_standin)
REDIS_IMAGE=$(resolve redis:7-alpine local/redis:7 redis_standin)
NGINX_IMAGE=$(resolve nginx:1.27-alpine local/nginx:1 nginx_standin)
echo "export NODE_IMAGE=$NODE_IMAGE REDIS_IMAGE=$REDIS_IMAGE NGINX_IMAGE=$NGINX_IMAGE"
