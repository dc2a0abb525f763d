/*
 * stm32f103.h - the few STM32F103 and Cortex-M3 registers this image
 * touches, written from RM0008 and the ARMv7-M ARM since no vendor headers
 * are available here. Names follow the reference manual (RCC_CR_PLLON,
 * SPI_SR_RXNE) so they can be checked against it line by line; only what
 * main.c, uart.c, spi_hal.c and startup.c use is defined.
 */
#ifndef FIRMWARE_STM32F103_H
#define FIRMWARE_STM32F103_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---- Flash interface (RM0008 3.3.3) ---- */
#define FLASH_BASE_R 0x40022000u
#define FLASH_ACR REG32(FLASH_BASE_R + 0x00u)
#define FLASH_ACR_LATENCY_2 0x2u   /* two wait states: 48 < SYSCLK <= 72 MHz */
#define FLASH_ACR_PRFTBE (1u << 4) /* prefetch buffer */

/* ---- Reset and clock control (RM0008 7.3) ---- */
#define RCC_BASE 0x40021000u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_CFGR REG32(RCC_BASE + 0x04u)
#define RCC_APB2ENR REG32(RCC_BASE + 0x18u)
#define RCC_APB1ENR REG32(RCC_BASE + 0x1Cu)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR_SW_PLL 0x2u
#define RCC_CFGR_SWS_MASK (0x3u << 2)
#define RCC_CFGR_SWS_PLL (0x2u << 2)
#define RCC_CFGR_PPRE1_DIV2 (0x4u << 8)
#define RCC_CFGR_PLLSRC_HSE (1u << 16) /* clear: HSI/2 feeds the PLL */
#define RCC_CFGR_PLLMUL(x) ((uint32_t)((x) - 2u) << 18) /* x = 2..16 */
#define RCC_APB2ENR_AFIOEN (1u << 0)
#define RCC_APB2ENR_IOPAEN (1u << 2)
#define RCC_APB2ENR_SPI1EN (1u << 12)
#define RCC_APB2ENR_USART1EN (1u << 14)
#define RCC_APB1ENR_TIM2EN (1u << 0)

/* ---- GPIO port A (RM0008 9.2) ---- */
#define GPIOA_BASE 0x40010800u
#define GPIOA_CRL REG32(GPIOA_BASE + 0x00u)
#define GPIOA_CRH REG32(GPIOA_BASE + 0x04u)
#define GPIOA_IDR REG32(GPIOA_BASE + 0x08u)
#define GPIOA_ODR REG32(GPIOA_BASE + 0x0Cu)
#define GPIOA_BSRR REG32(GPIOA_BASE + 0x10u)
#define GPIOA_BRR REG32(GPIOA_BASE + 0x14u)
/* One 4-bit CNF:MODE field per pin, CRL for pins 0-7, CRH for 8-15. */
#define GPIO_CFG_SHIFT(pin) (((pin) & 7u) * 4u)
#define GPIO_CFG_OUT_PP_50MHZ 0x3u /* general-purpose push-pull output */
#define GPIO_CFG_AF_PP_50MHZ 0xBu  /* alternate-function push-pull */
#define GPIO_CFG_IN_FLOATING 0x4u
#define GPIO_CFG_IN_PULL 0x8u      /* input with pull-up/down, ODR picks which */

/* ---- AFIO and EXTI (RM0008 9.4, 10.3) ---- */
#define AFIO_EXTICR1 REG32(0x40010008u) /* EXTI0..3 source port, 4 bits each */
#define EXTI_BASE 0x40010400u
#define EXTI_IMR REG32(EXTI_BASE + 0x00u)
#define EXTI_FTSR REG32(EXTI_BASE + 0x0Cu)
#define EXTI_PR REG32(EXTI_BASE + 0x14u)

/* ---- TIM2, general-purpose timer (RM0008 15.4) ---- */
#define TIM2_BASE 0x40000000u
#define TIM2_CR1 REG32(TIM2_BASE + 0x00u)
#define TIM2_DIER REG32(TIM2_BASE + 0x0Cu)
#define TIM2_SR REG32(TIM2_BASE + 0x10u)
#define TIM2_EGR REG32(TIM2_BASE + 0x14u)
#define TIM2_CNT REG32(TIM2_BASE + 0x24u)
#define TIM2_PSC REG32(TIM2_BASE + 0x28u)
#define TIM2_ARR REG32(TIM2_BASE + 0x2Cu)
#define TIM2_CCR1 REG32(TIM2_BASE + 0x34u)
#define TIM_CR1_CEN (1u << 0)
#define TIM_DIER_UIE (1u << 0)
#define TIM_DIER_CC1IE (1u << 1)
#define TIM_SR_UIF (1u << 0)
#define TIM_SR_CC1IF (1u << 1)
#define TIM_EGR_UG (1u << 0)

/* ---- SPI1 (RM0008 25.5) ---- */
#define SPI1_BASE 0x40013000u
#define SPI1_CR1 REG32(SPI1_BASE + 0x00u)
#define SPI1_SR REG32(SPI1_BASE + 0x08u)
#define SPI1_DR REG32(SPI1_BASE + 0x0Cu)
#define SPI_CR1_MSTR (1u << 2)
#define SPI_CR1_BR(x) ((uint32_t)(x) << 3) /* fPCLK / 2^(x+1) */
#define SPI_CR1_SPE (1u << 6)
#define SPI_CR1_SSI (1u << 8)
#define SPI_CR1_SSM (1u << 9)
#define SPI_SR_RXNE (1u << 0)
#define SPI_SR_TXE (1u << 1)
#define SPI_SR_BSY (1u << 7)

/* ---- USART1 (RM0008 27.6) ---- */
#define USART1_BASE 0x40013800u
#define USART1_SR REG32(USART1_BASE + 0x00u)
#define USART1_DR REG32(USART1_BASE + 0x04u)
#define USART1_BRR REG32(USART1_BASE + 0x08u)
#define USART1_CR1 REG32(USART1_BASE + 0x0Cu)
#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_TXEIE (1u << 7)
#define USART_CR1_UE (1u << 13)

/* ---- Device electronic signature (RM0008 30.2): 96-bit unique ID ---- */
#define UID_BASE 0x1FFFF7E8u

/* ---- Cortex-M3 core (ARMv7-M ARM B3.3, C1.6.5, C1.8) ---- */
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* processor clock, not HCLK/8 */
#define NVIC_ISER0 REG32(0xE000E100u) /* IRQ 0..31 */
#define NVIC_ISER1 REG32(0xE000E104u) /* IRQ 32..63 */
#define IRQ_EXTI3 9u
#define IRQ_TIM2 28u
#define IRQ_USART1 37u
#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define DWT_CTRL_CYCCNTENA (1u << 0)

#endif /* FIRMWARE_STM32F103_H */
