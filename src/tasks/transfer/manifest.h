/* manifest.h — the model zoo: which (dataset, model) pairs exist and where their files are
 * (formats.md "Manifest": dataset,model,path[,accuracy][,imagenet_acc]). */
#ifndef SB_MANIFEST_H
#define SB_MANIFEST_H

#include <stddef.h>

#include "core/err.h"

typedef struct sb_manifest_row {
    char dataset[128], model[128];
    char path[1024];      /* absolute or relative to the process, resolved from the manifest's folder */
    double accuracy;      /* NaN when the column is absent or empty */
    double imagenet_acc;  /* NaN when absent */
} sb_manifest_row;

typedef struct sb_manifest {
    char path[1024];
    size_t n;
    sb_manifest_row *rows;
    int has_accuracy, has_imagenet;
} sb_manifest;

/* Duplicate (dataset, model) rows, empty names and non-numeric accuracies are SB_EINPUT
 * naming the file and line. */
int sb_manifest_read(sb_manifest *m, const char *path, sb_err *err);
void sb_manifest_free(sb_manifest *m);

#endif
