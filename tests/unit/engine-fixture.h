/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmocka setup and teardown of the engine unit tests over the fake plant
 * (engine-fake.h). Kept apart from engine-fake.c because the engine
 * fuzzer links the fake plant without cmocka.
 */
#ifndef STATIOND_TESTS_UNIT_ENGINE_FIXTURE_H
#define STATIOND_TESTS_UNIT_ENGINE_FIXTURE_H

/* One manifold of six detectors, presets at 08:00. */
int engine_fixture_one_manifold(void **state);
/* Two manifolds of six detectors, presets at 08:00. */
int engine_fixture_two_manifolds(void **state);
/* Two manifolds of six detectors, no presets. */
int engine_fixture_no_presets(void **state);
/* Every test: never a valve open without the dewar inhibit; then free. */
int engine_fixture_teardown(void **state);

#endif
