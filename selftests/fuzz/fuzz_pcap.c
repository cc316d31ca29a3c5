// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the capture reader behind `mip6lbctl classify`
 * (cli/pcapsrc.c over libpcap): the input is the file, read from memory
 * with fmemopen() through pcapsrc_fopen(), every frame converted to
 * Ethernet as classify gets it.  Checks: the reader answers 1, 0 or -1;
 * a converted frame (every link type but Ethernet) is at least an
 * Ethernet header; every byte of every frame can be read (ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pcapsrc.h"
#include "fuzzutil.h"

#define MAX_FRAMES 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapsrc_frame f;
	struct pcapsrc *s;
	char err[512];
	void *copy;
	FILE *fp;
	int i, rc;

	if (!size)
		return 0;
	copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	fp = fmemopen(copy, size, "rb");
	if (!fp)
		abort();
	if (pcapsrc_fopen(fp, "fuzz.pcap", &s, err, sizeof(err))) {
		FUZZ_CHECK(err[0]);
		free(copy);
		return 0;
	}
	FUZZ_CHECK(pcapsrc_linktype(s)[0]);
	for (i = 0; i < MAX_FRAMES; i++) {
		memset(&f, 0, sizeof(f));
		rc = pcapsrc_next(s, &f, err, sizeof(err));
		if (rc <= 0) {
			FUZZ_CHECK(rc == 0 || rc == -1);
			break;
		}
		FUZZ_CHECK(rc == 1 && f.data);
		if (strcmp(pcapsrc_linktype(s), "EN10MB"))
			FUZZ_CHECK(f.len >= 14);
		/* Touch every byte so ASan sees a short buffer. */
		{
			volatile unsigned char sum = 0;
			size_t j;

			for (j = 0; j < f.len; j++)
				sum += f.data[j];
		}
	}
	pcapsrc_close(s);
	free(copy);
	return 0;
}
