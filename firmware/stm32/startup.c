/*
 * startup.c - what runs before main() on the STM32F103: the vector table
 * and the reset handler. The reset handler copies .data from flash to RAM
 * and zeroes .bss (the linker script, stm32f103.ld, names the bounds), then
 * calls main(). No libc start files are linked (-nostartfiles), so nothing
 * else runs first: no constructors, no heap set-up, which this image never
 * needs.
 *
 * Exceptions and interrupts the image doesn't use go to a handler that
 * spins, so a fault stops the board where a debugger can see it instead of
 * running on with corrupt state.
 */
#include <stdint.h>

#include "board.h"

int main(void);

/* Linker script symbols: addresses only, never read as objects. */
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

static void default_handler(void)
{
	for (;;) {
	}
}

/* Global so the linker script can name it as the ELF entry point, which
 * debuggers and simulators start from. */
void Reset_Handler(void);

void Reset_Handler(void)
{
	const uint32_t *src = _sidata;

	for (uint32_t *dst = _sdata; dst < _edata;) {
		*dst++ = *src++;
	}
	for (uint32_t *dst = _sbss; dst < _ebss;) {
		*dst++ = 0;
	}
	(void)main();
	default_handler();
}

/* Overridable by a definition elsewhere in the image. */
void NMI_Handler(void) __attribute__((weak, alias("default_handler")));
void HardFault_Handler(void) __attribute__((weak, alias("default_handler")));
void MemManage_Handler(void) __attribute__((weak, alias("default_handler")));
void BusFault_Handler(void) __attribute__((weak, alias("default_handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("default_handler")));
void SVC_Handler(void) __attribute__((weak, alias("default_handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("default_handler")));
void PendSV_Handler(void) __attribute__((weak, alias("default_handler")));
void SysTick_Handler(void) __attribute__((weak, alias("default_handler")));

typedef void (*vector_fn)(void);

/* 43 peripheral interrupts on the medium-density F103 (RM0008 table 63). */
#define IRQ_COUNT 43

/* Word 0 is the initial stack pointer, word 1 the reset vector; the core
 * loads both from 0x08000000 (aliased at 0) out of reset. */
__attribute__((section(".isr_vector"), used))
static const vector_fn vectors[16 + IRQ_COUNT] = {
	[0] = (vector_fn)(uintptr_t)_estack,
	[1] = Reset_Handler,
	[2] = NMI_Handler,
	[3] = HardFault_Handler,
	[4] = MemManage_Handler,
	[5] = BusFault_Handler,
	[6] = UsageFault_Handler,
	[11] = SVC_Handler,
	[12] = DebugMon_Handler,
	[14] = PendSV_Handler,
	[15] = SysTick_Handler,
	/* The board's interrupts (main.c, uart.c; RM0008 table 63); the
	 * rest go to default_handler. */
	[16 ... 16 + 8] = default_handler,
	[16 + 9] = EXTI3_IRQHandler,
	[16 + 10 ... 16 + 27] = default_handler,
	[16 + 28] = TIM2_IRQHandler,
	[16 + 29 ... 16 + 36] = default_handler,
	[16 + 37] = USART1_IRQHandler,
	[16 + 38 ... 16 + IRQ_COUNT - 1] = default_handler,
};
