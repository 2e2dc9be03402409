# Shared by the scripts that run QEMU with one of the project's TCG plugins
# (tests/target/qemu_plugins/; sourced, from the repository's top): builds a
# plugin only when its build is missing or older than its sources.

# qemu_plugin_build SO SOURCE: builds the plugin SOURCE into SO with the host
# compiler, unless SO is newer than SOURCE and than the API header they share.
qemu_plugin_build() {
  local so=$1 source=$2 api=tests/target/qemu_plugins/qemu_plugin_api.h aside
  if [ -f "$so" ] && ! [ "$source" -nt "$so" ] && ! [ "$api" -nt "$so" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$so")"
  # Built aside and renamed: CTest runs several word-only tests at once, and
  # one of them loading a plugin another was still writing failed ("file too
  # short"). A rename replaces the file whole.
  aside=$(mktemp "$so.XXXXXX")
  cc -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC -fvisibility=hidden "$source" -o "$aside"
  mv -f "$aside" "$so"
}
