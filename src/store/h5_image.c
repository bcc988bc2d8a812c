#include "store/h5_image.h"

#include <stdlib.h>

#include "store/atomic.h"

/* HDF5 grows the in-memory file by this much at a time. */
#define GROW_BYTES ((size_t)1 << 20)

hid_t sb_h5_image_create(const char *path, sb_err *err)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = H5I_INVALID_HID;
    if (fapl >= 0 && H5Pset_fapl_core(fapl, GROW_BYTES, 0) >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0) {
        /* the name only tells in-memory files apart; nothing is created under it */
        char name[1100];
        sb_atomic_tmpname(path, name, sizeof name);
        f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    }
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f < 0)
        sb_fail(err, SB_EIO, "%s: HDF5 could not create the file in memory", path);
    return f;
}

int sb_h5_image_close(hid_t f, const char *path, int commit, sb_err *err)
{
    void *image = NULL;
    ssize_t len = -1;
    if (commit && H5Fflush(f, H5F_SCOPE_GLOBAL) >= 0 && (len = H5Fget_file_image(f, NULL, 0)) > 0 &&
        (image = malloc((size_t)len)) != NULL && H5Fget_file_image(f, image, (size_t)len) != len)
        len = -1;
    int closed = H5Fclose(f) >= 0;
    int rc = 0;
    if (commit && (!image || len <= 0 || !closed))
        rc = sb_fail(err, SB_EIO, "%s: HDF5 could not finish the file%s", path,
                     len > 0 && !image ? " (out of memory for its image)" : "");
    else if (commit)
        rc = sb_atomic_write_bytes(path, image, (size_t)len, err);
    free(image);
    return rc;
}
