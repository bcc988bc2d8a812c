# Sourced by the scripts: how to start MPI programs on a laptop or CI box.
# Open MPI refuses to run as root and to put more ranks than cores on a node unless told;
# both are normal on a 2-core CI machine or a container, so say it once here.
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Containers often lack a usable /dev/shm or ptrace rights for single-copy transfers.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
