/* h5_image.h — HDF5 files built in memory, then written through the output seam.
 *
 * Why not let HDF5 write the file: in HDF5 1.10 a write that fails while a file closes
 * (disk full) leaves a freed file object behind, and the library crashes on it at exit,
 * inside MPI_Finalize (HDFGroup HDFFV-11052, fixed in 1.14.1). Built with the core driver
 * and no backing store, HDF5 never touches the disk, so H5Fclose cannot fail for lack of
 * space; the finished image is written by sb_atomic_write_bytes, whose every call goes
 * through store/out_io.h (and can be made to fail there by a test). The cost: the whole
 * file is in memory, twice for a moment at commit (HDF5's image and its copy). */
#ifndef SB_H5_IMAGE_H
#define SB_H5_IMAGE_H

#include <hdf5.h>

#include "core/err.h"

/* A new, empty in-memory file that will become path. Objects left open are closed with
 * it (H5F_CLOSE_STRONG), so an error path cannot leave a handle for exit to trip on. */
hid_t sb_h5_image_create(const char *path, sb_err *err);
/* Closes f and, when commit is set, writes its image as path, atomically. */
int sb_h5_image_close(hid_t f, const char *path, int commit, sb_err *err);

#endif
