/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The station model: what a configuration compiles to, what the binary
 * database stores and what the daemon runs. Cards are sorted by crate and
 * address, manifolds by name (A < B < ... < Z < AA < AB ...), detectors by
 * number; a record's index in its array is its fixed position in the
 * database.
 *
 * Voltages are integer millivolts and durations integer seconds, so the
 * text form, the model and the database convert exactly.
 */
#ifndef STATIOND_CONFIG_STATION_H
#define STATIOND_CONFIG_STATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config/source-location.h"

/* Card models, by their Xycom numbers. */
enum card_model {
	CARD_XVME240 = 240,	/* 64 TTL port lines, 8 interrupt inputs, 8 flags */
	CARD_XVME260 = 260,	/* 32 relays */
	CARD_XVME560 = 560,	/* 32 ADC channels, 12 bit */
};

/* XVME-560 input range, set by a jumper on the card. */
enum adc_range {
	ADC_RANGE_BIPOLAR = 0,	/* -10 V .. +10 V */
	ADC_RANGE_UNIPOLAR = 1,	/* 0 V .. +10 V */
};

/* What a channel reference names on its card. */
enum line_kind {
	LINE_NONE = 0,		/* not configured */
	LINE_ADC = 1,		/* XVME-560 channel 0-31 */
	LINE_RELAY = 2,		/* XVME-260 relay 0-31 */
	LINE_PORT = 3,		/* XVME-240 port line, index = port * 8 + bit */
	LINE_IRQ = 4,		/* XVME-240 interrupt input 0-7 */
	LINE_FLAG = 5,		/* XVME-240 flag output 0-7 */
};

#define CARD_ADDRESS_STEP 0x400u
#define CARD_ADDRESS_MAX 0xFC00u
#define CARD_SLOTS 64u
#define ADC_CHANNELS 32u
#define RELAY_CHANNELS 32u
#define TTL_PORTS 8u
#define TTL_PORT_LINES 64u
#define TTL_IRQ_LINES 8u
#define TTL_FLAG_LINES 8u

#define ADC_MILLIVOLTS_MIN_BIPOLAR (-10000)
#define ADC_MILLIVOLTS_MIN_UNIPOLAR 0
#define ADC_MILLIVOLTS_MAX 9995	/* +10 V * 2047/2048, rounded down */

#define DETECTOR_NUMBER_MIN 1u
#define DETECTOR_NUMBER_MAX 99999u
#define MANIFOLD_NAME_MAX 2u		/* A..Z, AA..ZZ: 702 manifolds */
#define MANIFOLD_DETECTORS_MAX 30u	/* one XVME-260: 30 detectors + input + output */
#define PRESETS_MAX 4u
#define PRESET_UNUSED 0xFFFFu

#define SCAN_RATE_MILLIHZ_MIN 100u	/* 0.1 Hz */
#define SCAN_RATE_MILLIHZ_MAX 100000u	/* 100 Hz */
#define BACKUP_INTERVAL_MIN_S 10u
#define BACKUP_INTERVAL_MAX_S 86400u
/* Consecutive exhaust readings past the reference that make LN2 (or its
 * absence) count: taken at once, a few conversions apart (debounce). */
#define DEBOUNCE_READINGS_DEFAULT 3u
#define DEBOUNCE_READINGS_MIN 1u
#define DEBOUNCE_READINGS_MAX 16u
/* How often the exhaust of a running fill or purge is read between scans
 * (the fast path: its valve closes within one such period of LN2). */
#define EXHAUST_SAMPLE_RATE_MILLIHZ_DEFAULT 100000u	/* 100 Hz */
#define EXHAUST_SAMPLE_RATE_MILLIHZ_MIN 1000u		/* 1 Hz */
#define EXHAUST_SAMPLE_RATE_MILLIHZ_MAX 1000000u	/* 1 kHz */
#define MAX_FILL_MIN_S 1u
#define MAX_FILL_MAX_S 7200u
#define CLOSURE_DELAY_MAX_S 3600u
#define OPERATOR_GROUP_MAX 31u	/* bytes, without the terminating NUL */
#define CRATE_MAX 255u

/* The Cryostream 800 link (issue 6): UDP ports of the status broadcasts
 * and of the controllers' command socket, how long a controller may stay
 * silent before it counts as disconnected, and how long a command waits
 * for a status packet to confirm it. */
#define CRYOSTREAM_STATUS_PORT_DEFAULT 30304u
#define CRYOSTREAM_COMMAND_PORT_DEFAULT 30305u
#define CRYOSTREAM_SILENCE_DEFAULT_S 5u
#define CRYOSTREAM_SILENCE_MIN_S 1u
#define CRYOSTREAM_SILENCE_MAX_S 3600u
#define CRYOSTREAM_COMMAND_TIMEOUT_DEFAULT_S 10u
#define CRYOSTREAM_COMMAND_TIMEOUT_MIN_S 1u
#define CRYOSTREAM_COMMAND_TIMEOUT_MAX_S 600u
#define CRYOSTREAM_NAME_MAX 32u		/* a D-Bus object path element */
#define CRYOSTREAM_NUMBER_MAX 65535u	/* parameter 1028 is a u16; 0: the only one */
#define CRYOSTREAMS_MAX 64u

/* The science CCDs (issue 13): one UtilityNet line each. Paths are kept
 * absolute (the parser resolves a relative one against the directory of
 * the file it is written in). */
#define CCD_CONFIG_NAME_MAX 32u		/* a D-Bus object path element */
#define CCD_TTY_MAX 31u			/* "ttyS1", "pts3" */
#define CCD_PROFILE_NAME_MAX 32u	/* a profile's file name (its CCDNAME) */
#define CCD_HOST_NAME_MAX 10u		/* a UtilityNet name */
#define CCD_DEVICE_PATH_MAX 127u
#define CCD_DIR_PATH_MAX 255u
#define CCD_SOCKET_PATH_MAX 107u	/* sun_path, NUL included */
#define CCD_RESEND_LIMIT_DEFAULT 5u
#define CCD_RESEND_LIMIT_MAX 100u
#define CCD_PROFILE_DIR_DEFAULT "/etc/stationd/ccd"
#define CCD_HOST_NAME_DEFAULT "SYS"
#define CCDS_MAX 16u

/* Run-state bytes carried in each record for the autofill persistence
 * layer; the compiler writes zeros and never interprets them. */
#define MANIFOLD_STATE_SIZE 60u
#define DETECTOR_STATE_SIZE 64u

/*
 * One line of one card: the card by crate (the xvme<N> bus device) and A16
 * base address, then what on the card.
 */
struct channel_ref {
	uint8_t crate;
	uint16_t card;		/* A16 base address */
	uint8_t kind;		/* enum line_kind; LINE_NONE = unset */
	uint8_t index;
};

enum station_field {
	STATION_SLOT_ZERO,
	STATION_SCAN_RATE,
	STATION_BACKUP_INTERVAL,
	STATION_OPERATOR_GROUP,
	STATION_DEWAR_INHIBIT,
	STATION_ALARM,
	STATION_DEBOUNCE_READINGS,
	STATION_EXHAUST_SAMPLE_RATE,
	_STATION_FIELD_MAX,
};

enum cryostream_link_field {
	CRYOSTREAM_LINK_STATUS_PORT,
	CRYOSTREAM_LINK_COMMAND_PORT,
	CRYOSTREAM_LINK_SILENCE_TIMEOUT,
	CRYOSTREAM_LINK_COMMAND_TIMEOUT,
	CRYOSTREAM_LINK_CHECKSUM,
	_CRYOSTREAM_LINK_FIELD_MAX,
};

/* The "cryostream-link" block: settings shared by every controller. All
 * optional; station_new() sets the defaults. */
struct cryostream_link {
	uint16_t status_port;
	uint16_t command_port;
	uint32_t silence_timeout_s;
	uint32_t command_timeout_s;
	/* "checksum ignore": accept status packets whatever their checksum
	 * field says (no public peer verifies it); default verify. */
	bool ignore_checksum;
	struct source_location at;
	struct source_location field_at[_CRYOSTREAM_LINK_FIELD_MAX];
};

struct station_globals {
	bool slot_zero_usable;		/* may a card sit at 0x0000 (GCSR) in any crate */
	uint32_t scan_rate_millihz;
	uint32_t backup_interval_s;
	uint32_t debounce_readings;
	uint32_t exhaust_sample_rate_millihz;
	char operator_group[OPERATOR_GROUP_MAX + 1];
	struct channel_ref dewar_inhibit;	/* XVME-240 output: port line or flag */
	struct channel_ref alarm;		/* XVME-240 flag */
	struct cryostream_link cryostream_link;	/* kept in the station record */
	struct source_location at;
	struct source_location field_at[_STATION_FIELD_MAX];
};

struct card {
	uint8_t crate;			/* xvme<N> */
	uint16_t address;
	uint16_t model;			/* enum card_model */
	uint8_t adc_range;		/* enum adc_range, XVME-560 only */
	struct source_location at;
};

enum manifold_field {
	MANIFOLD_SENSOR,
	MANIFOLD_INPUT_VALVE,
	MANIFOLD_OUTPUT_VALVE,
	MANIFOLD_MANUAL_FILL_KEY,
	MANIFOLD_REFERENCE,
	MANIFOLD_MAX_FILL,
	MANIFOLD_CLOSURE_DELAY,
	_MANIFOLD_FIELD_MAX,
};

struct manifold {
	char name[MANIFOLD_NAME_MAX + 1];
	struct channel_ref sensor;		/* XVME-560 channel at the output */
	struct channel_ref input_valve;		/* XVME-260 relay */
	struct channel_ref output_valve;	/* XVME-260 relay */
	struct channel_ref manual_fill_key;	/* XVME-240 port line or irq input */
	int32_t reference_mv;
	uint32_t max_fill_s;
	uint32_t closure_delay_s;
	uint8_t state[MANIFOLD_STATE_SIZE];
	struct source_location at;
	struct source_location field_at[_MANIFOLD_FIELD_MAX];
};

enum detector_field {
	DETECTOR_MANIFOLD,
	DETECTOR_SENSOR,
	DETECTOR_VALVE,
	DETECTOR_BIAS_SHUTDOWN,
	DETECTOR_REFERENCE,
	DETECTOR_MAX_FILL,
	DETECTOR_CLOSURE_DELAY,
	DETECTOR_PRESET,
	_DETECTOR_FIELD_MAX,
};

struct detector {
	uint32_t number;
	uint32_t manifold;		/* index into station.manifolds */
	char manifold_name[MANIFOLD_NAME_MAX + 1];
	struct channel_ref sensor;		/* XVME-560 channel at the exhaust */
	struct channel_ref valve;		/* XVME-260 relay */
	struct channel_ref bias_shutdown;	/* XVME-240 port line or irq input */
	int32_t reference_mv;
	uint32_t max_fill_s;
	uint32_t closure_delay_s;
	uint8_t n_presets;
	uint16_t preset[PRESETS_MAX];	/* minutes after local midnight, ascending */
	uint8_t state[DETECTOR_STATE_SIZE];
	struct source_location at;
	struct source_location field_at[_DETECTOR_FIELD_MAX];
};

enum cryostream_field {
	CRYOSTREAM_NUMBER,
	CRYOSTREAM_ADDRESS,
	_CRYOSTREAM_FIELD_MAX,
};

/* An Oxford Cryostream 800 controller, named as on the bus
 * (/org/stationd1/cryostream/<name>). */
struct cryostream {
	char name[CRYOSTREAM_NAME_MAX + 1];
	uint16_t number;		/* factory number (parameter 1028); 0: the only one */
	uint32_t address;		/* IPv4 of its command port, network order; 0: none */
	struct source_location at;
	struct source_location field_at[_CRYOSTREAM_FIELD_MAX];
};

enum ccd_field {
	CCD_TTY,
	CCD_DEVICE,
	CCD_PROFILE,
	CCD_PROFILE_DIR,
	CCD_DATA_DIR,
	CCD_DATA_SOCKET,
	CCD_HOST_NAME,
	CCD_RESEND_LIMIT,
	_CCD_FIELD_MAX,
};

/* A science CCD controller on a UtilityNet line, named as on the bus
 * (/org/stationd1/ccd/<name>). Exactly one of tty and device is set. */
struct ccd {
	char name[CCD_CONFIG_NAME_MAX + 1];
	char tty[CCD_TTY_MAX + 1];		/* the line, found through /dev/unet/by-tty */
	char device[CCD_DEVICE_PATH_MAX + 1];	/* or a frame device path, opened as given */
	char profile[CCD_PROFILE_NAME_MAX + 1];	/* loaded by Setup(""); "" none */
	char profile_dir[CCD_DIR_PATH_MAX + 1];	/* where Setup finds profiles */
	char data_dir[CCD_DIR_PATH_MAX + 1];	/* FITS files; "" <state-dir>/ccd/<name> */
	char data_socket[CCD_SOCKET_PATH_MAX + 1];	/* pixel data channel; "" none */
	char host_name[CCD_HOST_NAME_MAX + 1];	/* our UtilityNet name */
	uint8_t resend_limit;
	struct source_location at;
	struct source_location field_at[_CCD_FIELD_MAX];
};

struct station {
	struct station_globals globals;
	struct card *cards;
	size_t n_cards;
	struct manifold *manifolds;
	size_t n_manifolds;
	struct detector *detectors;
	size_t n_detectors;
	struct cryostream *cryostreams;	/* by name */
	size_t n_cryostreams;
	struct ccd *ccds;		/* by name */
	size_t n_ccds;
	/* Names of the files the locations above point into. */
	char **files;
	size_t n_files;
};

struct station *station_new(void);
struct station *station_free(struct station *s);
static inline void station_freep(struct station **s)
{
	if (*s)
		station_free(*s);
}
#define _cleanup_station_ __attribute__((cleanup(station_freep)))

/* Append a zeroed element; returns it, or NULL when out of memory. */
struct card *station_add_card(struct station *s);
struct manifold *station_add_manifold(struct station *s);
struct detector *station_add_detector(struct station *s);
struct cryostream *station_add_cryostream(struct station *s);
/* A ccd with its defaults (profile directory, host name, resend limit). */
struct ccd *station_add_ccd(struct station *s);

/* Keep a copy of a file name for source locations; NULL when out of memory. */
const char *station_intern_file(struct station *s, const char *name);

/* Sort into database order (cards by address, manifolds by name,
 * detectors by number, cryostreams and ccds by name). */
void station_sort(struct station *s);

/* Set each detector's manifold index from its manifold name; -ENOENT if a
 * name is not defined. Call after station_sort(). */
int station_link(struct station *s);

/* Lookups on a sorted station; NULL when absent. */
const struct card *station_find_card(const struct station *s, uint8_t crate, uint16_t address);
const struct manifold *station_find_manifold(const struct station *s, const char *name);
const struct detector *station_find_detector(const struct station *s, uint32_t number);

/* Manifold names order by length, then alphabetically: A..Z, AA..ZZ. */
int manifold_name_compare(const char *a, const char *b);
bool manifold_name_valid(const char *name, size_t len);
/* 1-32 letters, digits or '_' (an object path element). */
bool cryostream_name_valid(const char *name, size_t len);
const struct cryostream *station_find_cryostream(const struct station *s, const char *name);
/* 1-32 letters, digits or '_' (an object path element). */
bool ccd_config_name_valid(const char *name, size_t len);
const struct ccd *station_find_ccd(const struct station *s, const char *name);

const char *card_model_name(uint16_t model);	/* "XVME-560", or NULL */
const char *line_kind_name(uint8_t kind);	/* "ADC channel", ... */

/* A card as in the configuration and in sysfs: "xvme0-0c00". */
#define CARD_NAME_MAX 16
char *card_name_format(uint8_t crate, uint16_t address, char buf[static CARD_NAME_MAX]);

/* Format a channel reference as in the configuration: "xvme0-0c00:5",
 * "xvme0-1400:port3.7", "xvme0-1400:irq2", "xvme0-1400:flag0". */
#define CHANNEL_REF_STRING_MAX 32
char *channel_ref_format(const struct channel_ref *ref, char buf[static CHANNEL_REF_STRING_MAX]);

#endif
