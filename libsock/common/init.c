/*
 * init.c - reference-counted start and stop of the OS socket layer.
 *
 * A spinlock guards the counts: the critical sections are a few
 * instructions plus, once per cycle, WSAStartup, and common code may use
 * no OS mutex. `ready` lets every later auto-initialising call skip the
 * lock with one atomic load.
 */
#include "internal.h"

static atomic_flag lsi_init_lock = ATOMIC_FLAG_INIT;
static int lsi_init_refs;      /* explicit ls_init() references */
static int lsi_init_auto;      /* 1 once a call auto-initialised */
static int lsi_plat_up;        /* 1 while the OS layer is started */
static atomic_int lsi_ready;   /* 1 while lsi_init_auto holds the layer */

static void lsi_lock(void)
{
	while (atomic_flag_test_and_set_explicit(&lsi_init_lock, memory_order_acquire))
		;
}

static void lsi_unlock(void)
{
	atomic_flag_clear_explicit(&lsi_init_lock, memory_order_release);
}

/* Start the OS layer if it is down. Called with the lock held. */
static int lsi_start_locked(void)
{
	int rc;

	if (lsi_plat_up)
		return 0;
	rc = lsi_plat_init();
	if (rc == 0)
		lsi_plat_up = 1;
	return rc;
}

int ls_init(void)
{
	int rc;

	lsi_lock();
	rc = lsi_start_locked();
	if (rc == 0)
		lsi_init_refs++;
	lsi_unlock();
	return rc;
}

void ls_cleanup(void)
{
	lsi_lock();
	if (lsi_init_refs > 0)
		lsi_init_refs--;
	if (lsi_init_refs == 0 && !lsi_init_auto && lsi_plat_up) {
		lsi_plat_cleanup();
		lsi_plat_up = 0;
	}
	lsi_unlock();
}

int lsi_autoinit(void)
{
	int rc;

	if (atomic_load_explicit(&lsi_ready, memory_order_acquire))
		return 0;
	lsi_lock();
	rc = lsi_start_locked();
	if (rc == 0) {
		lsi_init_auto = 1;
		atomic_store_explicit(&lsi_ready, 1, memory_order_release);
	}
	lsi_unlock();
	return rc;
}
