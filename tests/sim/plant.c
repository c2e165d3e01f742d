// SPDX-License-Identifier: GPL-2.0
/*
 * The plant library: formats and I/O of xvme-sim's debugfs plant files.
 * The file formats are fixed by the simulated crate; see plant.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/shared/read-full.h"
#include "tests/sim/plant.h"

/*
 * Longest contents of a plant file: 32 channels of "-30000 " plus the
 * newline is 225 bytes. Anything that fills the buffer is not ours.
 */
#define PLANT_FILE_MAX 512

enum plant_file {
	PLANT_FILE_AIN,
	PLANT_FILE_RANGE,
	PLANT_FILE_RELAYS,
	PLANT_FILE_PORTS,
	PLANT_FILE_IRQ_INPUTS,
	PLANT_FILE_FLAGS,
	PLANT_FILE_FAULT,
	_PLANT_FILE_MAX,
};

static const struct {
	const char *name;
	bool writable;
} plant_files[_PLANT_FILE_MAX] = {
	[PLANT_FILE_AIN] = { "ain", true },
	[PLANT_FILE_RANGE] = { "range", true },
	[PLANT_FILE_RELAYS] = { "relays", false },
	[PLANT_FILE_PORTS] = { "ports", true },
	[PLANT_FILE_IRQ_INPUTS] = { "irq_inputs", true },
	[PLANT_FILE_FLAGS] = { "flags", false },
	[PLANT_FILE_FAULT] = { "fault", true },
};

struct plant {
	char *root;
	int dir_fd;
};

struct plant_card {
	char *name;
	int dir_fd;
	/* Opened on first use and kept: a plant writes at 20 Hz. */
	int fds[_PLANT_FILE_MAX];
};

static const char *const range_names[_PLANT_RANGE_MAX] = {
	[PLANT_RANGE_BIPOLAR] = "bipolar",
	[PLANT_RANGE_UNIPOLAR] = "unipolar",
};

static const char *const fault_names[_PLANT_FAULT_MAX] = {
	[PLANT_FAULT_NONE] = "none",
	[PLANT_FAULT_ABSENT] = "absent",
	[PLANT_FAULT_BAD_ID] = "bad-id",
	[PLANT_FAULT_ADC_STUCK] = "adc-stuck",
	[PLANT_FAULT_ADC_ERROR] = "adc-error",
	[PLANT_FAULT_NO_RESET_CLEAR] = "no-reset-clear",
};

static bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static int name_lookup(const char *const *names, int n, const char *name)
{
	if (!name)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (streq(names[i], name))
			return i;
	return -EINVAL;
}

const char *plant_range_to_string(enum plant_range range)
{
	if ((unsigned int)range >= _PLANT_RANGE_MAX)
		return NULL;
	return range_names[range];
}

int plant_range_from_string(const char *name)
{
	return name_lookup(range_names, _PLANT_RANGE_MAX, name);
}

const char *plant_fault_to_string(enum plant_fault fault)
{
	if ((unsigned int)fault >= _PLANT_FAULT_MAX)
		return NULL;
	return fault_names[fault];
}

int plant_fault_from_string(const char *name)
{
	return name_lookup(fault_names, _PLANT_FAULT_MAX, name);
}

int plant_open(const char *root, struct plant **ret)
{
	_cleanup_plant_ struct plant *plant = NULL;

	if (!root)
		root = secure_getenv(PLANT_ROOT_ENV);
	if (!root || !*root)
		root = PLANT_DEFAULT_ROOT;

	plant = calloc(1, sizeof(*plant));
	if (!plant)
		return -ENOMEM;
	plant->dir_fd = -EBADF;
	plant->root = strdup(root);
	if (!plant->root)
		return -ENOMEM;
	plant->dir_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (plant->dir_fd < 0)
		return -errno;
	*ret = TAKE_PTR(plant);
	return 0;
}

struct plant *plant_close(struct plant *plant)
{
	if (!plant)
		return NULL;
	safe_close(plant->dir_fd);
	free(plant->root);
	free(plant);
	return NULL;
}

const char *plant_root(const struct plant *plant)
{
	return plant->root;
}

/* A card name is one path component: no '/', not "." or "..". */
static bool card_name_is_valid(const char *name)
{
	return name && *name && !strchr(name, '/') &&
	       !streq(name, ".") && !streq(name, "..") &&
	       strlen(name) <= NAME_MAX;
}

char **plant_card_list_free(char **names)
{
	if (!names)
		return NULL;
	for (char **n = names; *n; n++)
		free(*n);
	free(names);
	return NULL;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void closedirp(DIR **dir)
{
	if (*dir)
		closedir(*dir);
}

int plant_card_list(struct plant *plant, char ***ret)
{
	_cleanup_(closedirp) DIR *dir = NULL;
	_cleanup_card_list_ char **names = NULL;
	size_t n = 0;
	int fd;

	/* fdopendir() takes the fd; the plant keeps its own. */
	fd = openat(plant->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		int r = -errno;

		close(fd);
		return r;
	}

	names = calloc(1, sizeof(*names));
	if (!names)
		return -ENOMEM;

	for (;;) {
		struct dirent *de;
		struct stat st;
		char **grown;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				return -errno;
			break;
		}
		if (!card_name_is_valid(de->d_name))
			continue;
		/*
		 * Each card is a directory; anything else is not a card, and
		 * one that went away since readdir() (an unload) is not either.
		 */
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		if (!S_ISDIR(st.st_mode))
			continue;

		grown = reallocarray(names, n + 2, sizeof(*names));
		if (!grown)
			return -ENOMEM;
		names = grown;
		names[n] = strdup(de->d_name);
		if (!names[n])
			return -ENOMEM;
		names[++n] = NULL;
	}

	qsort(names, n, sizeof(*names), compare_names);
	*ret = TAKE_PTR(names);
	return 0;
}

int plant_card_open(struct plant *plant, const char *name,
		    struct plant_card **ret)
{
	_cleanup_plant_card_ struct plant_card *card = NULL;

	if (!card_name_is_valid(name))
		return -EINVAL;

	card = calloc(1, sizeof(*card));
	if (!card)
		return -ENOMEM;
	card->dir_fd = -EBADF;
	for (int i = 0; i < _PLANT_FILE_MAX; i++)
		card->fds[i] = -EBADF;

	card->name = strdup(name);
	if (!card->name)
		return -ENOMEM;
	card->dir_fd = openat(plant->dir_fd, name,
			      O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (card->dir_fd < 0)
		return -errno;

	*ret = TAKE_PTR(card);
	return 0;
}

struct plant_card *plant_card_close(struct plant_card *card)
{
	if (!card)
		return NULL;
	for (int i = 0; i < _PLANT_FILE_MAX; i++)
		safe_close(card->fds[i]);
	safe_close(card->dir_fd);
	free(card->name);
	free(card);
	return NULL;
}

const char *plant_card_name(const struct plant_card *card)
{
	return card->name;
}

static int card_file_fd(struct plant_card *card, enum plant_file file)
{
	int flags = O_CLOEXEC | O_NOFOLLOW;
	int fd;

	if (card->fds[file] >= 0)
		return card->fds[file];

	flags |= plant_files[file].writable ? O_RDWR : O_RDONLY;
	fd = openat(card->dir_fd, plant_files[file].name, flags);
	if (fd < 0)
		return -errno;
	card->fds[file] = fd;
	return fd;
}

/*
 * Read the whole file from offset 0 into @buf as a string. The simulator
 * formats the contents afresh at offset 0, so a held-open fd always sees
 * the current state; a short read is continued until end of file.
 */
static int card_file_read(struct plant_card *card, enum plant_file file,
			  char buf[static PLANT_FILE_MAX])
{
	ssize_t len;
	int fd;

	fd = card_file_fd(card, file);
	if (fd < 0)
		return fd;

	len = pread_full(fd, buf, PLANT_FILE_MAX - 1, 0);
	if (len < 0)
		return len;
	/* Filling the buffer means the file may go on: too long to trust. */
	if (len == PLANT_FILE_MAX - 1)
		return -EBADMSG;
	/* Text only: a NUL would hide what follows it from the parsers. */
	if (memchr(buf, '\0', len))
		return -EBADMSG;
	buf[len] = '\0';
	return 0;
}

/*
 * Write @text in one write at offset 0. The simulator parses each write
 * as a whole, so a partial write cannot be continued: it is an error.
 */
static int card_file_write(struct plant_card *card, enum plant_file file,
			   const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = card_file_fd(card, file);
	if (fd < 0)
		return fd;

	do
		n = pwrite(fd, text, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

/* Parse "0x" and 1..@digits hex digits, then "\n" and nothing else. */
static int parse_hex_line(const char *text, unsigned int digits, uint64_t *ret)
{
	uint64_t value = 0;
	unsigned int i;

	if (text[0] != '0' || text[1] != 'x')
		return -EBADMSG;
	text += 2;
	for (i = 0; i < digits; i++) {
		char c = text[i];
		unsigned int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			break;
		value = value << 4 | v;
	}
	if (i == 0 || !streq(text + i, "\n"))
		return -EBADMSG;
	*ret = value;
	return 0;
}

/* Check for a name followed by "\n" and cut the newline off. */
static int parse_name_line(char *text)
{
	size_t len = strlen(text);

	if (len < 2 || text[len - 1] != '\n')
		return -EBADMSG;
	text[len - 1] = '\0';
	return 0;
}

static int card_file_read_hex(struct plant_card *card, enum plant_file file,
			      unsigned int digits, uint64_t *ret)
{
	char buf[PLANT_FILE_MAX];
	int r;

	r = card_file_read(card, file, buf);
	if (r < 0)
		return r;
	return parse_hex_line(buf, digits, ret);
}

static int card_file_read_name(struct plant_card *card, enum plant_file file,
			       int (*from_string)(const char *), int *ret)
{
	char buf[PLANT_FILE_MAX];
	int r;

	r = card_file_read(card, file, buf);
	if (r < 0)
		return r;
	r = parse_name_line(buf);
	if (r < 0)
		return r;
	r = from_string(buf);
	if (r < 0)
		return -EBADMSG;
	*ret = r;
	return 0;
}

static bool mv_is_valid(int mv)
{
	return mv >= PLANT_AIN_MV_MIN && mv <= PLANT_AIN_MV_MAX;
}

int plant_ain_set(struct plant_card *card, unsigned int channel, int mv)
{
	char text[32];

	if (channel >= PLANT_AIN_CHANNELS || !mv_is_valid(mv))
		return -ERANGE;
	snprintf(text, sizeof(text), "%u %d\n", channel, mv);
	return card_file_write(card, PLANT_FILE_AIN, text);
}

int plant_ain_noise(struct plant_card *card, unsigned int channel, int mv,
		    unsigned int conversions)
{
	char text[48];

	if (channel >= PLANT_AIN_CHANNELS || !mv_is_valid(mv) || conversions < 1 ||
	    conversions > PLANT_NOISE_MAX)
		return -ERANGE;
	snprintf(text, sizeof(text), "%u %d %u\n", channel, mv, conversions);
	return card_file_write(card, PLANT_FILE_AIN, text);
}

int plant_ain_set_all(struct plant_card *card,
		      const int mv[PLANT_AIN_CHANNELS])
{
	char text[PLANT_FILE_MAX];
	size_t len = 0;

	for (unsigned int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
		if (!mv_is_valid(mv[ch]))
			return -ERANGE;
	for (unsigned int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
		len += snprintf(text + len, sizeof(text) - len, "%d%c", mv[ch],
				ch + 1 < PLANT_AIN_CHANNELS ? ' ' : '\n');
	return card_file_write(card, PLANT_FILE_AIN, text);
}

int plant_ain_get_all(struct plant_card *card, int mv[PLANT_AIN_CHANNELS])
{
	char buf[PLANT_FILE_MAX];
	int values[PLANT_AIN_CHANNELS];
	const char *p = buf;
	int r;

	r = card_file_read(card, PLANT_FILE_AIN, buf);
	if (r < 0)
		return r;

	/* Exactly "v0 v1 ... v31\n": decimal, one space apart. */
	for (unsigned int ch = 0; ch < PLANT_AIN_CHANNELS; ch++) {
		char sep = ch + 1 < PLANT_AIN_CHANNELS ? ' ' : '\n';
		char *end;
		long v;

		if (!(*p == '-' || (*p >= '0' && *p <= '9')))
			return -EBADMSG;
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || end == p || v < INT_MIN || v > INT_MAX ||
		    *end != sep)
			return -EBADMSG;
		values[ch] = v;
		p = end + 1;
	}
	if (*p)
		return -EBADMSG;

	memcpy(mv, values, sizeof(values));
	return 0;
}

int plant_range_get(struct plant_card *card, enum plant_range *ret)
{
	int range, r;

	r = card_file_read_name(card, PLANT_FILE_RANGE,
				plant_range_from_string, &range);
	if (r < 0)
		return r;
	*ret = range;
	return 0;
}

int plant_range_set(struct plant_card *card, enum plant_range range)
{
	char text[32];

	if (!plant_range_to_string(range))
		return -EINVAL;
	snprintf(text, sizeof(text), "%s\n", plant_range_to_string(range));
	return card_file_write(card, PLANT_FILE_RANGE, text);
}

int plant_relays_get(struct plant_card *card, uint32_t *ret)
{
	uint64_t v;
	int r;

	r = card_file_read_hex(card, PLANT_FILE_RELAYS, 8, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int plant_ports_get(struct plant_card *card, uint64_t *ret)
{
	return card_file_read_hex(card, PLANT_FILE_PORTS, 16, ret);
}

int plant_ports_set(struct plant_card *card, uint64_t levels)
{
	char text[32];

	snprintf(text, sizeof(text), "0x%016" PRIx64 "\n", levels);
	return card_file_write(card, PLANT_FILE_PORTS, text);
}

int plant_irq_inputs_get(struct plant_card *card, uint8_t *ret)
{
	uint64_t v;
	int r;

	r = card_file_read_hex(card, PLANT_FILE_IRQ_INPUTS, 2, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int plant_irq_inputs_set(struct plant_card *card, uint8_t levels)
{
	char text[8];

	snprintf(text, sizeof(text), "0x%02x\n", levels);
	return card_file_write(card, PLANT_FILE_IRQ_INPUTS, text);
}

int plant_irq_pulse(struct plant_card *card, unsigned int bit)
{
	uint8_t levels, mask;
	int r;

	if (bit >= PLANT_IRQ_INPUTS)
		return -ERANGE;
	mask = 1u << bit;

	r = plant_irq_inputs_get(card, &levels);
	if (r < 0)
		return r;

	if (levels & mask) {
		/* high-low-high: the edge is the return to the level it had */
		r = plant_irq_inputs_set(card, levels & ~mask);
		if (r < 0)
			return r;
		return plant_irq_inputs_set(card, levels);
	}
	/* low-high-low */
	r = plant_irq_inputs_set(card, levels | mask);
	if (r < 0)
		return r;
	return plant_irq_inputs_set(card, levels);
}

int plant_flags_get(struct plant_card *card, uint8_t *ret)
{
	uint64_t v;
	int r;

	r = card_file_read_hex(card, PLANT_FILE_FLAGS, 2, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int plant_fault_get(struct plant_card *card, enum plant_fault *ret)
{
	int fault, r;

	r = card_file_read_name(card, PLANT_FILE_FAULT,
				plant_fault_from_string, &fault);
	if (r < 0)
		return r;
	*ret = fault;
	return 0;
}

int plant_fault_set(struct plant_card *card, enum plant_fault fault)
{
	char text[32];

	if (!plant_fault_to_string(fault))
		return -EINVAL;
	snprintf(text, sizeof(text), "%s\n", plant_fault_to_string(fault));
	return card_file_write(card, PLANT_FILE_FAULT, text);
}
