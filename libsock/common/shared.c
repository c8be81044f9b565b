/*
 * shared.c - settings a listener shares with its accepts in flight (access
 * rules, PROXY settings): an immutable object replaced as a whole, each
 * user holding a reference. Swapping and taking a reference happen under
 * one process-wide spin lock held for a few instructions; the last
 * reference frees the object.
 */
#include <stdlib.h>

#include "internal.h"

static atomic_flag lsi_shared_lock = ATOMIC_FLAG_INIT;

static void lsi_shared_take(void)
{
	while (atomic_flag_test_and_set_explicit(&lsi_shared_lock, memory_order_acquire))
		;
}

static void lsi_shared_give(void)
{
	atomic_flag_clear_explicit(&lsi_shared_lock, memory_order_release);
}

void lsi_shared_put(lsi_shared *obj)
{
	if (obj != NULL && atomic_fetch_sub(&obj->refs, 1) == 1)
		free(obj);
}

lsi_shared *lsi_shared_get(_Atomic(lsi_shared *) *slot)
{
	lsi_shared *obj;

	lsi_shared_take();
	obj = atomic_load_explicit(slot, memory_order_relaxed);
	if (obj != NULL)
		atomic_fetch_add(&obj->refs, 1);
	lsi_shared_give();
	return obj;
}

void lsi_shared_swap(_Atomic(lsi_shared *) *slot, lsi_shared *obj)
{
	lsi_shared *old;

	lsi_shared_take();
	old = atomic_load_explicit(slot, memory_order_relaxed);
	atomic_store_explicit(slot, obj, memory_order_release);
	lsi_shared_give();
	lsi_shared_put(old);
}
