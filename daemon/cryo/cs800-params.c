// SPDX-License-Identifier: GPL-2.0
/*
 * The table of Cryostream 800 status parameters (ids and units from
 * shared/spec/cryostream-cs800.md) and the conversions it drives.
 */
#include "daemon/cryo/cs800-params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/shared/macro.h"

#define REQUIRED(i, n, p, u, k, field) \
	{ .id = i, .name = n, .property = p, .unit = u, .kind = k, \
	  .offset = offsetof(struct cs800_status, field) }
#define OPTIONAL(i, n, p, u, k, field) \
	{ .id = i, .name = n, .property = p, .unit = u, .kind = k, .optional = true, \
	  .offset = offsetof(struct cs800_status, field) }
#define ENUMERATION(i, n, p, field, f, np) \
	{ .id = i, .name = n, .property = p, .unit = "", .kind = CS800_KIND_ENUM, \
	  .offset = offsetof(struct cs800_status, field), .to_string = f, .name_property = np }

/* Sorted by id: cs800_param_by_id() searches it by bisection. */
static const struct cs800_param params[] = {
	REQUIRED(1000, "device type", "DeviceType", "", CS800_KIND_INTEGER, device_type),
	REQUIRED(1001, "device subtype", "DeviceSubtype", "", CS800_KIND_INTEGER, device_subtype),
	REQUIRED(1002, "device minimum temperature", "DeviceMinTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, device_min_temperature_k),
	REQUIRED(1003, "device maximum temperature", "DeviceMaxTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, device_max_temperature_k),
	REQUIRED(1004, "software version", "SoftwareVersion", "", CS800_KIND_INTEGER,
		 software_version),
	REQUIRED(1028, "controller number", "ControllerNumber", "", CS800_KIND_INTEGER,
		 controller_number),
	REQUIRED(1050, "set point", "SetPoint", "K", CS800_KIND_CENTI_KELVIN, set_point_k),
	REQUIRED(1051, "gas temperature", "GasTemperature", "K", CS800_KIND_CENTI_KELVIN,
		 gas_temperature_k),
	REQUIRED(1052, "temperature error", "TemperatureError", "K",
		 CS800_KIND_SIGNED_CENTI_KELVIN, error_k),
	ENUMERATION(1053, "run mode", "RunMode", run_mode, cs800_run_mode_to_string, "RunModeName"),
	ENUMERATION(1054, "phase", "Phase", phase, cs800_phase_to_string, "PhaseName"),
	REQUIRED(1055, "ramp rate", "RampRate", "K/h", CS800_KIND_INTEGER, ramp_rate_k_per_h),
	REQUIRED(1056, "target temperature", "TargetTemperature", "K", CS800_KIND_CENTI_KELVIN,
		 target_temperature_k),
	REQUIRED(1057, "evaporator temperature", "EvaporatorTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, evaporator_temperature_k),
	REQUIRED(1058, "suction temperature", "SuctionTemperature", "K", CS800_KIND_CENTI_KELVIN,
		 suction_temperature_k),
	REQUIRED(1059, "time remaining in phase", "TimeRemaining", "min", CS800_KIND_INTEGER,
		 time_remaining_min),
	REQUIRED(1060, "gas flow", "GasFlow", "l/min", CS800_KIND_DECI_LITRE_PER_MIN,
		 gas_flow_l_per_min),
	REQUIRED(1061, "gas heater", "GasHeater", "%", CS800_KIND_INTEGER, gas_heater_percent),
	REQUIRED(1062, "evaporator heater", "EvaporatorHeater", "%", CS800_KIND_INTEGER,
		 evaporator_heater_percent),
	REQUIRED(1063, "suction heater", "SuctionHeater", "%", CS800_KIND_INTEGER,
		 suction_heater_percent),
	REQUIRED(1064, "back pressure", "BackPressure", "bar", CS800_KIND_CENTI_BAR,
		 back_pressure_bar),
	ENUMERATION(1065, "alarm", "Alarm", alarm, cs800_alarm_to_string, "AlarmName"),
	REQUIRED(1066, "run time", "RunTime", "min", CS800_KIND_INTEGER, run_time_min),
	REQUIRED(1067, "evaporator adjust", "EvaporatorAdjust", "", CS800_KIND_INTEGER,
		 evaporator_adjust),
	REQUIRED(1068, "turbo mode", "TurboMode", "", CS800_KIND_BOOLEAN, turbo_mode),
	REQUIRED(1203, "LN2 level", "LN2Level", "%", CS800_KIND_INTEGER, ln2_level_percent),
	OPTIONAL(2010, "cold head temperature", "ColdheadTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, coldhead_temperature_k),
	OPTIONAL(2011, "shield temperature", "ShieldTemperature", "K", CS800_KIND_CENTI_KELVIN,
		 shield_temperature_k),
	OPTIONAL(2012, "vacuum gauge", "VacuumGauge", "", CS800_KIND_INTEGER, vacuum_gauge),
	OPTIONAL(2013, "nozzle temperature", "NozzleTemperature", "K", CS800_KIND_CENTI_KELVIN,
		 nozzle_temperature_k),
	OPTIONAL(2014, "sample heater", "SampleHeater", "%", CS800_KIND_INTEGER,
		 sample_heater_percent),
	OPTIONAL(2015, "cold head heater", "ColdheadHeater", "%", CS800_KIND_INTEGER,
		 coldhead_heater_percent),
	OPTIONAL(2016, "shield heater", "ShieldHeater", "%", CS800_KIND_INTEGER,
		 shield_heater_percent),
	OPTIONAL(2017, "nozzle heater", "NozzleHeater", "%", CS800_KIND_INTEGER,
		 nozzle_heater_percent),
	OPTIONAL(2019, "average sample heater", "AverageSampleHeater", "%", CS800_KIND_INTEGER,
		 average_sample_heater_percent),
	OPTIONAL(2020, "average nozzle heater", "AverageNozzleHeater", "%", CS800_KIND_INTEGER,
		 average_nozzle_heater_percent),
	OPTIONAL(2030, "sample holder temperature", "SampleHolderTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, sample_holder_temperature_k),
	OPTIONAL(2031, "cryostat temperature", "CryostatTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, cryostat_temperature_k),
	OPTIONAL(2035, "suction set temperature", "SuctionSetTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, suction_set_temperature_k),
	OPTIONAL(2036, "nozzle set temperature", "NozzleSetTemperature", "K",
		 CS800_KIND_CENTI_KELVIN, nozzle_set_temperature_k),
	OPTIONAL(2041, "collar temperature", "CollarTemperature", "K", CS800_KIND_CENTI_KELVIN,
		 collar_temperature_k),
	OPTIONAL(2042, "vacuum sensor", "VacuumSensor", "", CS800_KIND_INTEGER, vacuum_sensor),
};

/* cs800_status.present has one bit per entry. */
_Static_assert(ELEMENTSOF(params) <= 64, "present mask too small");

const struct cs800_param *cs800_params(size_t *count)
{
	*count = ELEMENTSOF(params);
	return params;
}

size_t cs800_param_index(const struct cs800_param *param)
{
	return (size_t)(param - params);
}

const struct cs800_param *cs800_param_by_id(uint16_t id)
{
	size_t lo = 0, hi = ELEMENTSOF(params);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (params[mid].id == id)
			return &params[mid];
		if (params[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct cs800_param *cs800_param_by_property(const char *property)
{
	for (size_t i = 0; i < ELEMENTSOF(params); i++)
		if (strcmp(params[i].property, property) == 0)
			return &params[i];
	return NULL;
}

enum cs800_value_type cs800_param_value_type(const struct cs800_param *param)
{
	switch (param->kind) {
	case CS800_KIND_CENTI_KELVIN:
	case CS800_KIND_SIGNED_CENTI_KELVIN:
	case CS800_KIND_DECI_LITRE_PER_MIN:
	case CS800_KIND_CENTI_BAR:
		return CS800_VALUE_DOUBLE;
	case CS800_KIND_BOOLEAN:
		return CS800_VALUE_BOOLEAN;
	case CS800_KIND_INTEGER:
	case CS800_KIND_ENUM:
		break;
	}
	return CS800_VALUE_UINT16;
}

void cs800_param_store(const struct cs800_param *param, struct cs800_status *status, uint16_t raw)
{
	char *field = (char *)status + param->offset;
	double d;

	switch (param->kind) {
	case CS800_KIND_CENTI_KELVIN:
		d = raw / 100.0;
		break;
	case CS800_KIND_SIGNED_CENTI_KELVIN:
		d = (int16_t)raw / 100.0;
		break;
	case CS800_KIND_DECI_LITRE_PER_MIN:
		d = raw / 10.0;
		break;
	case CS800_KIND_CENTI_BAR:
		d = raw / 100.0;
		break;
	case CS800_KIND_BOOLEAN: {
		bool b = raw != 0;

		memcpy(field, &b, sizeof(b));
		return;
	}
	case CS800_KIND_INTEGER:
	case CS800_KIND_ENUM:
	default:
		memcpy(field, &raw, sizeof(raw));
		return;
	}
	memcpy(field, &d, sizeof(d));
}

void cs800_param_get(const struct cs800_param *param, const struct cs800_status *status,
		     struct cs800_value *ret)
{
	const char *field = (const char *)status + param->offset;

	ret->type = cs800_param_value_type(param);
	switch (ret->type) {
	case CS800_VALUE_DOUBLE:
		memcpy(&ret->d, field, sizeof(ret->d));
		break;
	case CS800_VALUE_BOOLEAN:
		memcpy(&ret->b, field, sizeof(ret->b));
		break;
	case CS800_VALUE_UINT16:
		memcpy(&ret->q, field, sizeof(ret->q));
		break;
	}
}

static uint16_t clamp_u16(double v)
{
	if (!(v > 0))
		return 0;
	if (v > UINT16_MAX)
		return UINT16_MAX;
	return (uint16_t)lround(v);
}

static uint16_t clamp_s16(double v)
{
	if (isnan(v))
		return 0;
	if (v < INT16_MIN)
		v = INT16_MIN;
	if (v > INT16_MAX)
		v = INT16_MAX;
	return (uint16_t)(int16_t)lround(v);
}

uint16_t cs800_param_raw(const struct cs800_param *param, const struct cs800_status *status)
{
	struct cs800_value v;

	cs800_param_get(param, status, &v);
	switch (param->kind) {
	case CS800_KIND_CENTI_KELVIN:
	case CS800_KIND_CENTI_BAR:
		return clamp_u16(v.d * 100);
	case CS800_KIND_SIGNED_CENTI_KELVIN:
		return clamp_s16(v.d * 100);
	case CS800_KIND_DECI_LITRE_PER_MIN:
		return clamp_u16(v.d * 10);
	case CS800_KIND_BOOLEAN:
		return v.b ? 1 : 0;
	case CS800_KIND_INTEGER:
	case CS800_KIND_ENUM:
		break;
	}
	return v.q;
}

bool cs800_value_equal(const struct cs800_value *a, const struct cs800_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CS800_VALUE_DOUBLE:
		return a->d == b->d;
	case CS800_VALUE_BOOLEAN:
		return a->b == b->b;
	case CS800_VALUE_UINT16:
		break;
	}
	return a->q == b->q;
}

int cs800_param_format(const struct cs800_param *param, const struct cs800_status *status,
		       char *buf, size_t size)
{
	struct cs800_value v;
	const char *name;
	int n;

	cs800_param_get(param, status, &v);
	switch (param->kind) {
	case CS800_KIND_CENTI_KELVIN:
	case CS800_KIND_SIGNED_CENTI_KELVIN:
	case CS800_KIND_CENTI_BAR:
		n = snprintf(buf, size, "%.2f %s", v.d, param->unit);
		break;
	case CS800_KIND_DECI_LITRE_PER_MIN:
		n = snprintf(buf, size, "%.1f %s", v.d, param->unit);
		break;
	case CS800_KIND_BOOLEAN:
		n = snprintf(buf, size, "%s", v.b ? "on" : "off");
		break;
	case CS800_KIND_ENUM:
		name = param->to_string(v.q);
		n = snprintf(buf, size, "%s (%u)", name ?: "unknown", v.q);
		break;
	case CS800_KIND_INTEGER:
	default:
		n = snprintf(buf, size, "%u%s%s", v.q, param->unit[0] ? " " : "", param->unit);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	return n;
}
