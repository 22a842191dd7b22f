#!/bin/sh
# Container entrypoint: serve (migrate, then run the API) | worker | migrate | any command.
set -eu

case "${1:-serve}" in
    serve)
        pilehub migrate
        exec pilehub serve
        ;;
    worker)
        exec pilehub worker
        ;;
    migrate)
        exec pilehub migrate
        ;;
    *)
        exec "$@"
        ;;
esac
