# Sourced by the other scripts: where this checkout builds. Build trees live outside the
# clone (one per checkout path, so CI's fresh clone and a developer's tree never share a CMake
# cache); ccache, shared by all of them, makes a fresh clone's build cheap.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LUMIO_BUILD_DIR:-$HOME/.cache/lumio/build-$(printf %s "$root" | md5sum | cut -c1-8)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/lumio/ccache}
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
