/* fuzz_manifest.c — the model-zoo manifest of `transfer score` (tasks/transfer/manifest.c):
 * dataset,model,path[,accuracy][,imagenet_acc]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tasks/transfer/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[600];
    fuzz_file("manifest.csv", data, size, path, sizeof path);
    sb_manifest m;
    sb_err err = {0};
    if (sb_manifest_read(&m, path, &err) == 0)
        sb_manifest_free(&m);
    else if (!err.msg[0] || strchr(err.msg, '\n'))
        abort();
    return 0;
}
