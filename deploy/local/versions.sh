# Versions of what the local stack installs (stack.sh) and the infrastructure images bake in
# (deploy/containers/images.sh); sourced by both.
KAFKA_VERSION=4.1.1
FERRETDB_VERSION=1.24.2
SOCKUDO_VERSION=5.2.0
UV_VERSION=0.13.9
