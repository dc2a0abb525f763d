/*
 * main.c - the STM32F103 image: clocks to 64 MHz from the HSI, TIM2 as the
 * clock and the deadline wake-up, EXTI3 for the ENC28J60's INT on PA3,
 * USART1 for the agent, SPI1 for the chip, then hand over to the shared
 * application (firmware/app/), which runs the driver and the stack in
 * core/. Startup is startup.c; memory layout is stm32f103.ld.
 *
 * Time is TIM2 counting at 1 MHz (64 MHz / 64) from reset; its update
 * interrupt (every 65.536 ms) counts the wraps, so the clock is 48 bits of
 * microseconds. Sleep is WFI (sleep mode: peripherals keep running) until
 * INT (EXTI3, falling edge), a UART byte, the deadline (TIM2 compare 1,
 * armed when the deadline falls within one timer period) or the next wrap.
 * As on the AVR, the INT pin's level is checked with interrupts masked
 * (PRIMASK) right before WFI: a pending interrupt still ends WFI with
 * PRIMASK set, so nothing raised in between is missed.
 */
#include "board.h"
#include "fw_board.h"
#include "stm32f103.h"

#define INT_PIN 3u

static volatile uint32_t tim2_wraps;

/* Start-up SRAM contents (not cleared: see stm32f103.ld), mixed with the
 * 96-bit unique ID so two boards never share an ISN key even if their RAM
 * powers up alike. Still weak: the F103 has no RNG. */
static uint32_t boot_noise[8] __attribute__((section(".noinit")));

void TIM2_IRQHandler(void)
{
	uint32_t sr = TIM2_SR;

	/* Compare 1 only wakes the CPU; the update counts a wrap. */
	TIM2_SR = ~(sr & (TIM_SR_UIF | TIM_SR_CC1IF));
	if (sr & TIM_SR_UIF)
		tim2_wraps++;
}

void EXTI3_IRQHandler(void)
{
	EXTI_PR = 1u << INT_PIN; /* wake only; the main loop asks the chip */
}

static void clock_init(void)
{
	/* Two flash wait states before speeding up (RM0008 3.3.3). */
	FLASH_ACR = FLASH_ACR_PRFTBE | FLASH_ACR_LATENCY_2;
	/* PLL from HSI/2 (4 MHz) x 16 = 64 MHz; APB1 limited to 36 MHz, so
	 * /2; AHB and APB2 undivided. */
	RCC_CFGR = RCC_CFGR_PLLMUL(16u) | RCC_CFGR_PPRE1_DIV2;
	RCC_CR |= RCC_CR_PLLON;
	while (!(RCC_CR & RCC_CR_PLLRDY)) {
	}
	RCC_CFGR |= RCC_CFGR_SW_PLL;
	while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL) {
	}
}

static void timer_init(void)
{
	RCC_APB1ENR |= RCC_APB1ENR_TIM2EN;
	TIM2_PSC = 64u - 1u; /* APB1 x2 = 64 MHz timer clock -> 1 MHz */
	TIM2_ARR = 0xFFFFu;
	TIM2_EGR = TIM_EGR_UG; /* load PSC */
	TIM2_SR = 0;
	TIM2_DIER = TIM_DIER_UIE;
	TIM2_CR1 = TIM_CR1_CEN;
	NVIC_ISER0 = 1u << IRQ_TIM2;
}

/* Microseconds since reset; a wrap the interrupt has not counted yet (UIF
 * set while interrupts are masked) is added when CNT has already wrapped. */
static uint64_t ticks(void)
{
	uint32_t primask, hi, lo;

	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	lo = TIM2_CNT;
	hi = tim2_wraps;
	if ((TIM2_SR & TIM_SR_UIF) && lo < 0x8000u)
		hi++;
	__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
	return ((uint64_t)hi << 16) | lo;
}

static net_time_t stm32_now(void)
{
	return ticks() * 1000u;
}

static void int_init(void)
{
	uint32_t crl;

	RCC_APB2ENR |= RCC_APB2ENR_IOPAEN | RCC_APB2ENR_AFIOEN;
	crl = GPIOA_CRL & ~(0xFu << GPIO_CFG_SHIFT(INT_PIN));
	GPIOA_CRL = crl | (GPIO_CFG_IN_PULL << GPIO_CFG_SHIFT(INT_PIN));
	GPIOA_BSRR = 1u << INT_PIN; /* pull-up: no spurious wake with no module */
	AFIO_EXTICR1 &= ~(0xFu << (4u * INT_PIN)); /* EXTI3 from port A */
	EXTI_FTSR |= 1u << INT_PIN;
	EXTI_PR = 1u << INT_PIN;
	EXTI_IMR |= 1u << INT_PIN;
	NVIC_ISER0 = 1u << IRQ_EXTI3;
}

static bool stm32_chip_int(void)
{
	return !(GPIOA_IDR & (1u << INT_PIN));
}

static void stm32_sleep_until(net_time_t deadline)
{
	bool armed = false;

	if (deadline != NET_TIME_NEVER) {
		uint64_t target = (deadline + 999u) / 1000u, cur = ticks();

		if (target <= cur + 1u)
			return;
		if (target - cur < 0xFF00u) {
			TIM2_CCR1 = (uint32_t)(target & 0xFFFFu);
			TIM2_SR = ~TIM_SR_CC1IF;
			TIM2_DIER |= TIM_DIER_CC1IE;
			armed = true;
		}
	}
	__asm__ volatile("cpsid i" ::: "memory");
	if ((GPIOA_IDR & (1u << INT_PIN)) && !stm32_uart_rx_ready() && !(armed && (TIM2_SR & TIM_SR_CC1IF)))
		__asm__ volatile("wfi" ::: "memory");
	__asm__ volatile("cpsie i" ::: "memory");
	TIM2_DIER &= ~TIM_DIER_CC1IE;
}

static void boot_key(uint8_t key[16])
{
	/* Power-up SRAM folded into the key, the unique ID over its first 12
	 * bytes; the stack's SipHash does the mixing. */
	const volatile uint32_t *uid = (const volatile uint32_t *)(uintptr_t)UID_BASE;

	for (unsigned w = 0; w < 4u; w++) {
		uint32_t v = boot_noise[w] ^ boot_noise[w + 4u] ^ (w < 3u ? uid[w] : 0u);

		for (unsigned i = 0; i < 4u; i++) {
			key[w * 4u + i] = (uint8_t)(v >> (8u * i));
		}
	}
	/* A reset that keeps power keeps SRAM too: step the noise so the next
	 * boot's key differs, or its ISNs (the clock restarts at 0) would
	 * repeat this boot's. */
	boot_noise[0]++;
}

int main(void)
{
	struct fw_board board = {
		.name = "stm32",
		.now = stm32_now,
		.sleep_until = stm32_sleep_until,
		.chip_int = stm32_chip_int,
		.putc = stm32_uart_putc,
		.getc = stm32_uart_getc,
	};

	boot_key(board.isn_key);
	clock_init();
	timer_init();
	stm32_uart_init();
	int_init();
	board.spi = stm32_spi_init();
	fw_app_run(&board);
	return 0;
}
